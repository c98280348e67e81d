import { notFoundError } from "../core/errors.js";
import { type FileAccess, NODE_FILE_ACCESS, RecordReader } from "./parse/records.js";

/**
 * The map names a pg_ident.conf defines (the first field of each `MAP SYSTEM-USER PG-USER`
 * record), read with the same lexical rules and include directives as pg_hba.conf.
 * Records PostgreSQL would refuse (an unreadable include, too few fields) define nothing.
 */
export async function readIdentMapNames(path: string, files: FileAccess = NODE_FILE_ACCESS): Promise<string[]> {
  let text: string;
  try {
    text = await files.readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw notFoundError("ident-file-missing", `ident file ${path} does not exist`);
    throw error;
  }
  const names = new Set<string>();
  await new RecordReader(files).read(path, text, (record) => {
    const map = record.fields[0]?.[0]?.value;
    if (record.error === undefined && record.fields.length === 3 && map !== undefined) names.add(map);
  });
  return [...names];
}
