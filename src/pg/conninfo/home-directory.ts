import { homedir, userInfo } from "node:os";

/** libpq's home directory (pqGetHomeDirectory): $HOME when set and not empty, else the passwd entry's. */
export function libpqHomeDirectory(env: NodeJS.ProcessEnv): string {
  const home = env.HOME;
  if (home !== undefined && home !== "") return home;
  try {
    return userInfo().homedir;
  } catch {
    return homedir();
  }
}

/** libpq's default user: the passwd name of the effective user (pg_fe_getauthname), not $USER. */
export function osUserName(): string {
  return userInfo().username;
}
