import { type Severity } from "../core/finding.js";
import { type Layer, LAYERS } from "./layer.js";
import { type CheckRun, type Score } from "./report/audit-report.js";

/** How much a check counts: a failed critical check costs as much as eight failed low ones. */
const WEIGHTS: Readonly<Record<Severity, number>> = { critical: 8, high: 4, medium: 2, low: 1, info: 0 };

function scoreOf(runs: readonly CheckRun[]): Score {
  const total = runs.reduce((sum, run) => sum + WEIGHTS[run.severity], 0);
  const passed = runs.reduce((sum, run) => sum + (run.passed ? WEIGHTS[run.severity] : 0), 0);
  return {
    score: total === 0 ? 100 : Math.floor((100 * passed) / total),
    checksRun: runs.length,
    checksPassed: runs.filter((run) => run.passed).length,
  };
}

/**
 * The score of each layer and of the whole audit, from 0 to 100: the weighted share of the
 * checks run that found nothing, each check weighted by its severity. Floored, so only a
 * clean layer scores 100; checks not run count for nothing either way.
 */
export function scoreChecks(runs: readonly CheckRun[]): {
  readonly overall: Score;
  readonly layers: Readonly<Record<Layer, Score>>;
} {
  const layers = Object.fromEntries(
    LAYERS.map((layer) => [layer, scoreOf(runs.filter((run) => run.layer === layer))]),
  ) as Record<Layer, Score>;
  return { overall: scoreOf(runs), layers };
}
