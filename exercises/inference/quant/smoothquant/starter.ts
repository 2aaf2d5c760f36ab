/**
 * quant/smoothquant — SmoothQuant's smoothing factor for each input channel j.
 *
 *   s_j = max|X_j|^α / max(max|W_j|, 1e-5)^(1−α),   then clamped below at 1e-5
 *
 * xAbsMax[j] is the largest |activation| of channel j, wAbsMax[j] the largest |weight| of input row j;
 * the layer then computes (X/s)·(s·W), which equals X·W. Return s, one factor per channel.
 * Run `llm-tutor lesson quant/smoothquant` for the lesson, `llm-tutor hint` for a hint.
 */
export function smoothQuantScales(xAbsMax: Vector, wAbsMax: Vector, alpha: number): Vector {
  throw new Error('not implemented');
}
