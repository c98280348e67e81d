/** How a score reads at a glance: good from 90, fair from 60, poor below; the text and HTML reports colour by it. */
export type ScoreBand = "good" | "fair" | "poor";

const GOOD_FROM = 90;
const FAIR_FROM = 60;

/** The band a score from 0 to 100 falls in. */
export function scoreBand(score: number): ScoreBand {
  return score >= GOOD_FROM ? "good" : score >= FAIR_FROM ? "fair" : "poor";
}
