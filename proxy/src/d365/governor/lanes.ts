/**
 * Priority lanes, highest first: a rep waiting for stock figures beats an order handoff, which
 * beats master-data sync, which beats bulk/background work.
 */
export const LANES = ['interactive', 'order', 'sync', 'bulk'] as const;
export type Lane = (typeof LANES)[number];

export function laneRank(lane: Lane): number {
  return LANES.indexOf(lane);
}
