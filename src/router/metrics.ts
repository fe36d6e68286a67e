// How well a difficulty score separates hard prompts from easy ones. A router sends a
// prompt to the cheap model when its score is under the threshold, so what matters is the
// share sent cheap and the share of hard prompts still sent strong (hard recall).

export interface Labelled {
  readonly score: number;
  readonly hard: boolean;
}

export interface AtThreshold {
  readonly threshold: number;
  /** Share of all prompts sent to the cheap model. */
  readonly cheapShare: number;
  /** Share of hard prompts sent to the strong model. */
  readonly hardRecall: number;
  /** What a random router with the same cheap share would keep: 1 - cheapShare. */
  readonly randomHardRecall: number;
}

export function atThreshold(rows: readonly Labelled[], threshold: number): AtThreshold {
  let cheap = 0;
  let hard = 0;
  let hardStrong = 0;
  for (const row of rows) {
    const strong = row.score >= threshold;
    if (!strong) cheap++;
    if (row.hard) {
      hard++;
      if (strong) hardStrong++;
    }
  }
  const cheapShare = rows.length === 0 ? 0 : cheap / rows.length;
  return { threshold, cheapShare, hardRecall: hard === 0 ? 1 : hardStrong / hard, randomHardRecall: 1 - cheapShare };
}

/** ROC AUC: the chance a random hard prompt scores above a random easy one (ties count half). */
export function rocAuc(rows: readonly Labelled[]): number {
  const sorted = [...rows].sort((a, b) => a.score - b.score);
  let hard = 0;
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const averageRank = (i + 1 + j) / 2; // ranks i+1 .. j
    for (let k = i; k < j; k++) {
      if (sorted[k]!.hard) {
        hard++;
        rankSum += averageRank;
      }
    }
    i = j;
  }
  const easy = sorted.length - hard;
  if (hard === 0 || easy === 0) return Number.NaN;
  return (rankSum - (hard * (hard + 1)) / 2) / (hard * easy);
}

/** The threshold that sends `share` of these prompts to the cheap model. */
export function thresholdForCheapShare(rows: readonly Labelled[], share: number): number {
  const scores = rows.map((r) => r.score).sort((a, b) => a - b);
  const i = Math.min(scores.length - 1, Math.max(0, Math.round(share * scores.length)));
  return scores[i] ?? 0.5;
}

/** Hard recall when `share` of prompts go cheap, against the random router's 1 - share. */
export function recallAtCheapShare(rows: readonly Labelled[], share: number): AtThreshold {
  return atThreshold(rows, thresholdForCheapShare(rows, share));
}
