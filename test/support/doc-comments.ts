import ts from "typescript";

/*
 * A checker for doc comments (`/** ... *\/`), run by test/doc-comments.test.ts over src/, test/ and bench/.
 * Editors show a doc comment as the documentation of the declaration right after it, so one that
 * describes something else, or nothing, misleads exactly where it is read.
 */

export type DocCommentProblemKind = "detached" | "not-on-declaration" | "unknown-name" | "unknown-file";

export interface DocCommentProblem {
  readonly file: string;
  /** 1-based line of the comment's first character. */
  readonly line: number;
  readonly kind: DocCommentProblemKind;
  readonly detail: string;
}

// Nodes a doc comment may document (TypeScript's own list of JSDoc hosts, minus statements).
const DOCUMENTABLE = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.InterfaceDeclaration,
  ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.EnumDeclaration,
  ts.SyntaxKind.EnumMember,
  ts.SyntaxKind.ModuleDeclaration,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.VariableDeclaration,
  ts.SyntaxKind.PropertySignature,
  ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.PropertyAssignment,
  ts.SyntaxKind.ShorthandPropertyAssignment,
  ts.SyntaxKind.MethodSignature,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
  ts.SyntaxKind.Parameter,
  ts.SyntaxKind.IndexSignature,
  ts.SyntaxKind.CallSignature,
  ts.SyntaxKind.ExportAssignment,
  ts.SyntaxKind.ExportDeclaration,
]);

/** Every comment in `sourceFile`, as [start, end) offsets. */
function commentRanges(sourceFile: ts.SourceFile): ts.TextRange[] {
  const ranges: ts.TextRange[] = [];
  // The comment ranges in each node's leading and trailing trivia: a scanner alone would misread
  // template literals and regular expressions, which need the parser's context.
  const seen = new Set<number>();
  const visit = (node: ts.Node): void => {
    for (const range of [
      ...(ts.getLeadingCommentRanges(sourceFile.text, node.getFullStart()) ?? []),
      ...(ts.getTrailingCommentRanges(sourceFile.text, node.getEnd()) ?? []),
    ]) {
      if (!seen.has(range.pos)) {
        seen.add(range.pos);
        ranges.push({ pos: range.pos, end: range.end });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  // Comments before the end-of-file token (after the last statement) are leading trivia of it.
  for (const range of ts.getLeadingCommentRanges(sourceFile.text, sourceFile.endOfFileToken.getFullStart()) ?? []) {
    if (!seen.has(range.pos)) {
      seen.add(range.pos);
      ranges.push({ pos: range.pos, end: range.end });
    }
  }
  return ranges.sort((a, b) => a.pos - b.pos);
}

const isDocComment = (text: string) => text.startsWith("/**") && text !== "/**/";

// A source file a comment names (`leaf-signer.ts`, `cli/noun.js`): its base name must still exist.
const CITED_FILE = /(?<![\w./-])(?:[\w-]+\/)*([\w.-]+)\.(?:ts|js)\b/g;

/** Where the next token after `position` starts: past white space and comments. */
function endOfTrivia(text: string, position: number): number {
  let at = position;
  for (;;) {
    const next = /^\s*/.exec(text.slice(at))?.[0].length ?? 0;
    at += next;
    if (text.startsWith("//", at)) at = text.includes("\n", at) ? text.indexOf("\n", at) : text.length;
    else if (text.startsWith("/*", at)) at = text.includes("*/", at + 2) ? text.indexOf("*/", at + 2) + 2 : text.length;
    else return at;
  }
}

/** Positions of the doc comments that lead a documentable node, and that node's start. */
function attachedDocComments(sourceFile: ts.SourceFile): Map<number, ts.Node> {
  const attached = new Map<number, ts.Node>();
  const visit = (node: ts.Node): void => {
    if (DOCUMENTABLE.has(node.kind)) {
      for (const range of ts.getLeadingCommentRanges(sourceFile.text, node.getFullStart()) ?? []) {
        if (!attached.has(range.pos)) attached.set(range.pos, node);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return attached;
}

// Names a comment cites as code: `foo()`, `Foo.bar()`, {@link Foo}, and backticked camelCase or
// PascalCase words (`fooBar`, `FooBar`). Bare words are left out: comments name PostgreSQL's C
// functions and RFC fields (ClientAuthentication, dNSName) that no TypeScript declares.
const CALLED_NAME = /([A-Za-z_$][\w$]*)\(\)/g;
const LINKED_NAME = /\{@link\s+([A-Za-z_$][\w$]*)/g;
const BACKTICKED_NAME = /`([A-Za-z_$][\w$]*)`/g;
const LOOKS_LIKE_CODE = /^(?:[a-z]+[A-Z][\w$]*|[A-Z][a-z]+[A-Z][\w$]*)$/;

/** The code names a doc comment cites, with the heuristic above. */
export function citedNames(comment: string): string[] {
  const names = new Set<string>();
  for (const pattern of [CALLED_NAME, LINKED_NAME]) {
    for (const match of comment.matchAll(pattern)) if (match[1] !== undefined) names.add(match[1]);
  }
  for (const match of comment.matchAll(BACKTICKED_NAME)) {
    if (match[1] !== undefined && LOOKS_LIKE_CODE.test(match[1])) names.add(match[1]);
  }
  return [...names];
}

/** Every identifier and property name written in `sourceFile`. */
export function namesIn(sourceFile: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) names.add(node.text);
    // Names the code passes as text: SQL functions in a query, commander's "preAction" hook.
    else if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
      for (const word of node.text.match(/[A-Za-z_$][\w$]*/g) ?? []) names.add(word);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return names;
}

/**
 * The problems of one file's doc comments. `knownNames` are the names a comment may cite besides the
 * file's own: the project's and its dependencies' declarations. With `knownFiles` (base names), every
 * comment, plain ones too, may cite only source files that exist.
 */
export function checkDocComments(
  sourceFile: ts.SourceFile,
  knownNames: ReadonlySet<string>,
  knownFiles?: ReadonlySet<string>,
): DocCommentProblem[] {
  const text = sourceFile.text;
  const attached = attachedDocComments(sourceFile);
  const ownNames = namesIn(sourceFile);
  const problems: DocCommentProblem[] = [];
  for (const range of commentRanges(sourceFile)) {
    const line = sourceFile.getLineAndCharacterOfPosition(range.pos).line + 1;
    const problem = (kind: DocCommentProblemKind, detail: string): void => {
      problems.push({ file: sourceFile.fileName, line, kind, detail });
    };
    const comment = text.slice(range.pos, range.end);
    if (knownFiles !== undefined) {
      const gone = [...comment.matchAll(CITED_FILE)]
        .map((match) => match[0])
        .filter((cited) => {
          const base = cited.slice(cited.lastIndexOf("/") + 1).replace(/\.(ts|js)$/, "");
          return !knownFiles.has(`${base}.ts`) && !knownFiles.has(`${base}.js`);
        });
      if (gone.length > 0) problem("unknown-file", `cites ${gone.join(", ")}, which no file of the project is`);
    }
    if (!isDocComment(comment)) continue;
    // Everything between the comment and the next token: other comments and white space.
    const gap = text.slice(range.end, endOfTrivia(text, range.end));
    if (/\n[ \t]*\r?\n/.test(gap)) {
      problem(
        "detached",
        "a blank line follows it: an overview is a plain /* */ comment, a doc comment sits on its declaration",
      );
    } else if (gap.includes("/**")) {
      problem("not-on-declaration", "another doc comment follows it, and the declaration is that one's");
    } else if (!attached.has(range.pos)) {
      problem(
        "not-on-declaration",
        "no declaration follows it: make it a plain comment or move it onto what it describes",
      );
    }
    const unknown = citedNames(comment).filter((name) => !ownNames.has(name) && !knownNames.has(name));
    if (unknown.length > 0)
      problem("unknown-name", `cites ${unknown.join(", ")}, declared nowhere in the project or its dependencies`);
  }
  return problems;
}

/**
 * Checks every project file the program `tsconfigPath` describes. Names come from all the program's
 * files, the libraries' declarations included, so a comment may cite `pbkdf2Sync()` but not a
 * function that no longer exists; `knownFiles` are the base names of the repository's files.
 */
export function checkProject(
  tsconfigPath: string,
  isProjectFile: (fileName: string) => boolean,
  knownFiles: ReadonlySet<string>,
): DocCommentProblem[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    tsconfigPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  if (config === undefined) throw new Error(`cannot read ${tsconfigPath}`);
  const program = ts.createProgram(config.fileNames, config.options);
  const knownNames = new Set<string>();
  for (const sourceFile of program.getSourceFiles()) for (const name of namesIn(sourceFile)) knownNames.add(name);
  return program
    .getSourceFiles()
    .filter((sourceFile) => isProjectFile(sourceFile.fileName))
    .flatMap((sourceFile) => checkDocComments(sourceFile, knownNames, knownFiles));
}
