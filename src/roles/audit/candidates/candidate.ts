/** Where a guess came from: the report says which kind of guess a password was, never the guess. */
export type CandidateOrigin = "role-name" | "vendor-default" | "common" | "wordlist";

/** One password guess. */
export interface Candidate {
  readonly text: string;
  readonly origin: CandidateOrigin;
}

export const ORIGIN_DESCRIPTION: Readonly<Record<CandidateOrigin, string>> = {
  "role-name": "a variant of the role name",
  "vendor-default": "a vendor default or documented example password",
  common: "one of the most common passwords",
  wordlist: "an entry of the wordlist",
};
