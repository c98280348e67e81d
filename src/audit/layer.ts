/**
 * The four layers of defence in depth that Pigsty's security model names (reference 001): who
 * may connect and whether it is encrypted, who you are, what you may do, whether the data is
 * intact and what was done is logged. Every audit check belongs to exactly one.
 */
export const LAYERS = ["network", "authentication", "access-control", "data"] as const;
export type Layer = (typeof LAYERS)[number];

/** Each layer's title and the question it answers, as 001 puts them. */
export const LAYER_TITLES: Readonly<Record<Layer, { readonly title: string; readonly question: string }>> = {
  network: { title: "Network security", question: "Who can connect? Is the connection encrypted?" },
  authentication: { title: "Authentication", question: "Who are you? How do you prove it?" },
  "access-control": { title: "Access control", question: "What can you do? What data can you access?" },
  data: { title: "Data security", question: "Is data intact? Are operations logged?" },
};
