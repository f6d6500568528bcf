/**
 * Injected faults: each matches REST calls (optionally by URL substring), lets the first
 * `after` matching calls through, then hits the next `count` (default 1).
 */
interface FaultMatch {
  count?: number;
  path?: string;
  after?: number;
}
export type FaultSpec =
  | ({ type: 'status'; status?: number; errorCode?: string; message?: string } & FaultMatch)
  | ({ type: 'latency'; ms: number } & FaultMatch)
  | ({ type: 'requestLimit' } & FaultMatch);

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
  skip: number;
}

export class FaultBox {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    this.faults.push({ spec, remaining: spec.count ?? 1, skip: spec.after ?? 0 });
  }

  clear(): void {
    this.faults = [];
  }

  /** Takes (and uses up one count of) every fault matching this URL. */
  take(url: string): FaultSpec[] {
    const hits: FaultSpec[] = [];
    for (const f of this.faults) {
      if (f.remaining <= 0 || (f.spec.path && !url.includes(f.spec.path))) continue;
      if (f.skip > 0) {
        f.skip--;
        continue;
      }
      f.remaining--;
      hits.push(f.spec);
    }
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return hits;
  }

  list(): Array<FaultSpec & { remaining: number }> {
    return this.faults.map((f) => ({ ...f.spec, remaining: f.remaining }));
  }
}
