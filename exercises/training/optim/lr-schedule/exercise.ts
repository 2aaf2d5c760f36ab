import { anyOf, defineExercise, type Rng } from 'llm-tutor/pack';
import { show } from '../optim-math.js';

export interface ScheduleConfig {
  maxLr: number;
  minLr: number;
  warmupSteps: number;
  cosineSteps: number;
}
type Args = [step: number, cfg: ScheduleConfig];

/** How a learner's schedule may differ from CS336's; the empty object is the right one. */
interface Variant {
  /** The warm-up's rate at step t (right: maxLr·t/Tw). */
  warmup?: (t: number, cfg: ScheduleConfig) => number;
  /** Where the cosine starts counting (right: at Tw) and the step it ends at (right: Tc). */
  cosineFrom?: 'warmup' | 'zero';
  cosineEnd?: 'absolute' | 'after-warmup';
  /** The cosine runs down to 0 instead of minLr; `after` is the rate once it is over. */
  toZero?: { after: 'minLr' | 'zero' };
}

/** The cosine's position in [0, 1] and the rate there, step by step (what a trace shows); with `variant`, as a learner might get it wrong. */
export function scheduleSteps(t: number, cfg: ScheduleConfig, variant: Variant = {}) {
  const { maxLr, minLr, warmupSteps: tw, cosineSteps: tc } = cfg;
  if (t < tw) return { steps: { phase: 'warm-up' }, output: variant.warmup ? variant.warmup(t, cfg) : (maxLr * t) / tw };
  const end = variant.cosineEnd === 'after-warmup' ? tw + tc : tc;
  const floor = variant.toZero ? 0 : minLr;
  if (t > end) return { steps: { phase: 'after the cosine' }, output: variant.toZero?.after === 'zero' ? 0 : minLr };
  const start = variant.cosineFrom === 'zero' ? 0 : tw;
  const progress = (t - start) / (end - start);
  const coefficient = 0.5 * (1 + Math.cos(Math.PI * progress));
  return { steps: { phase: 'cosine', progress, coefficient }, output: floor + coefficient * (maxLr - floor) };
}

/** The lesson's schedule: warm-up over 10 steps to 1e-3, cosine down to 1e-4 at step 100. */
export const lessonConfig: ScheduleConfig = { maxLr: 1e-3, minLr: 1e-4, warmupSteps: 10, cosineSteps: 100 };

/** A schedule shaped like GPT-3's small models: 6e-4 down to a tenth of it. */
function gptLike(rng: Rng): ScheduleConfig {
  const warmupSteps = rng.int(100, 700);
  return { maxLr: 6e-4, minLr: 6e-5, warmupSteps, cosineSteps: warmupSteps + rng.int(2000, 5000) };
}

function cases(rng: Rng): { name: string; args: Args }[] {
  const at = (t: number, what: string): { name: string; args: Args } => ({ name: `the lesson's schedule at step ${t} (${what})`, args: [t, lessonConfig] });
  const list = [at(0, 'the first step: 0'), at(5, 'halfway through warm-up'), at(10, 'warm-up over: maxLr'), at(55, 'halfway down the cosine'), at(100, 'the cosine\'s end: minLr'), at(150, 'after the cosine: minLr')];
  const a = gptLike(rng);
  const warm = rng.int(1, a.warmupSteps - 1);
  list.push({ name: `random: step ${warm} of ${a.warmupSteps} warm-up steps`, args: [warm, a] });
  const b = gptLike(rng);
  const inCosine = rng.int(b.warmupSteps + 1, b.cosineSteps - 1);
  list.push({ name: `random: step ${inCosine} of a cosine from ${b.warmupSteps} to ${b.cosineSteps}`, args: [inCosine, b] });
  const c: ScheduleConfig = { maxLr: 3e-4, minLr: 0, warmupSteps: rng.int(20, 50), cosineSteps: rng.int(200, 400) };
  const late = rng.int(Math.floor(0.8 * c.cosineSteps), c.cosineSteps - 1);
  list.push({ name: `random, minLr 0: step ${late}, near the end of a cosine from ${c.warmupSteps} to ${c.cosineSteps}`, args: [late, c] });
  list.push({ name: 'no warm-up (warmupSteps 0): step 0 is maxLr', args: [0, { maxLr: 2e-3, minLr: 2e-4, warmupSteps: 0, cosineSteps: 50 }] });
  list.push({ name: 'the step just before the cosine ends (step 49 of a cosine to 50)', args: [49, { maxLr: 1e-3, minLr: 1e-5, warmupSteps: 5, cosineSteps: 50 }] });
  return list;
}

/** Every step from 0 to a little past cosineSteps, as the calls of a property. */
const everyStep = (cfg: ScheduleConfig): Args[] => Array.from({ length: cfg.cosineSteps + 6 }, (_, t): Args => [t, cfg]);
const propertyConfig = (rng: Rng): ScheduleConfig => ({ maxLr: 1e-3, minLr: 1e-4, warmupSteps: rng.int(4, 8), cosineSteps: rng.int(30, 40) });
const notNumber = (rates: unknown[]) => rates.findIndex((r) => typeof r !== 'number' || !Number.isFinite(r));

export default defineExercise<Args, number>({
  entry: 'learningRate',
  signature: 'learningRate(step: number, cfg: { maxLr: number; minLr: number; warmupSteps: number; cosineSteps: number }): number',
  compare: { atol: 1e-12, rtol: 1e-9 },
  cases,
  reference: (_ctx, t, cfg) => scheduleSteps(t, cfg).output,
  trace: (_ctx, t, cfg) => scheduleSteps(t, cfg).steps,
  properties: [
    {
      name: 'the rate rises through warm-up, then never rises again',
      cases: (rng) => {
        const cfg = propertyConfig(rng);
        return [{ name: `every step 0 … ${cfg.cosineSteps + 5}, warm-up ${cfg.warmupSteps}, cosine to ${cfg.cosineSteps}`, calls: everyStep(cfg) }];
      },
      holds: (rates, calls) => {
        const odd = notNumber(rates);
        if (odd >= 0) return `learningRate must return a finite number; at step ${odd} it returned ${String(rates[odd])}.`;
        const tw = calls[0][1].warmupSteps;
        const t = rates.findIndex((r, i) => i > 0 && (i <= tw ? r <= rates[i - 1] : r > rates[i - 1] + 1e-15));
        if (t < 0) return undefined;
        const rule = t <= tw ? 'During warm-up (steps 0 … warmupSteps) each step must be higher than the last' : 'From the end of warm-up on, the rate may only fall or stay';
        return `Your rate goes from ${show(rates[t - 1])} at step ${t - 1} to ${show(rates[t])} at step ${t}. ${rule}: it climbs linearly to maxLr, then the cosine brings it down to minLr, where it stays.`;
      },
    },
    {
      name: 'the cosine is symmetric: lr(Tw + s) + lr(Tc − s) = maxLr + minLr',
      cases: (rng) => {
        const cfg = propertyConfig(rng);
        return [{ name: `warm-up ${cfg.warmupSteps}, cosine to ${cfg.cosineSteps}`, calls: everyStep(cfg) }];
      },
      holds: (rates, calls) => {
        const odd = notNumber(rates);
        if (odd >= 0) return `learningRate must return a finite number; at step ${odd} it returned ${String(rates[odd])}.`;
        const { maxLr, minLr, warmupSteps: tw, cosineSteps: tc } = calls[0][1];
        const s = Array.from({ length: tc - tw + 1 }, (_, k) => k).find((k) => Math.abs(rates[tw + k] + rates[tc - k] - maxLr - minLr) > 1e-12);
        if (s === undefined) return undefined;
        return (
          `lr(${tw + s}) + lr(${tc - s}) is ${show(rates[tw + s] + rates[tc - s])}, not maxLr + minLr = ${show(maxLr + minLr)}. ` +
          'Half a cosine from maxLr at step Tw to minLr at step Tc is symmetric about its middle: cos(π·r) + cos(π·(1 − r)) = 0.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'nanogpt-warmup',
      title: { en: "nanoGPT's warm-up, maxLr·(t + 1)/(Tw + 1)", 'zh-CN': 'nanoGPT 的预热，maxLr·(t + 1)/(Tw + 1)' },
      message: {
        en:
          "Your warm-up is nanoGPT's, maxLr·(t + 1)/(Tw + 1), which never starts at 0. This exercise follows CS336: maxLr·t/Tw, so step 0 has rate 0 and step 5 of 10 has exactly half of maxLr (5e-4 in the lesson, not 5.4545e-4).",
        'zh-CN':
          '你的预热是 nanoGPT 的写法 maxLr·(t + 1)/(Tw + 1)，它从不从 0 开始。本练习遵循 CS336：maxLr·t/Tw，' +
          '所以第 0 步的学习率为 0，10 步预热的第 5 步恰好是 maxLr 的一半（课程示例中是 5e-4，而不是 5.4545e-4）。',
      },
      hint: { en: 'What is your rate at step 0? And at step 5 of a 10-step warm-up to 1e-3?', 'zh-CN': '你在第 0 步的学习率是多少？在预热到 1e-3、共 10 步的预热中，第 5 步又是多少？' },
      wrong: (_ctx, t, cfg) => scheduleSteps(t, cfg, { warmup: (s, c) => (c.maxLr * (s + 1)) / (c.warmupSteps + 1) }).output,
    },
    {
      id: 'warmup-counted-from-1',
      title: { en: 'warm-up counted from 1, maxLr·(t + 1)/Tw', 'zh-CN': '预热从 1 开始计，maxLr·(t + 1)/Tw' },
      message: {
        en:
          'Your warm-up reaches maxLr one step early: maxLr·(t + 1)/Tw is maxLr already at step Tw − 1 and 1e-4 at step 0 in the lesson. Steps count from 0 here, and the warm-up is maxLr·t/Tw: 0 at step 0, maxLr at step Tw.',
        'zh-CN':
          '你的预热早一步到达 maxLr：maxLr·(t + 1)/Tw 在第 Tw − 1 步就已是 maxLr，在课程示例中第 0 步为 1e-4。' +
          '这里步数从 0 开始计，预热是 maxLr·t/Tw：第 0 步为 0，第 Tw 步为 maxLr。',
      },
      hint: {
        en:
          'What is your rate at step 0 of the lesson\'s schedule? Should training start with a non-zero rate here?',
        'zh-CN':
          '在课程示例的调度中，你第 0 步的学习率是多少？这里训练应该以非零学习率开始吗？',
      },
      wrong: (_ctx, t, cfg) => scheduleSteps(t, cfg, { warmup: (s, c) => (c.maxLr * (s + 1)) / c.warmupSteps }).output,
    },
    {
      id: 'cosine-from-zero',
      title: { en: 'the cosine measured from step 0, not from the end of warm-up', 'zh-CN': '余弦从第 0 步算起，而不是从预热结束处算起' },
      message: {
        en:
          'Your cosine uses t/Tc, as if it started at step 0: right after warm-up it is already partway down (at step 10 of the lesson 9.77975e-4, not maxLr = 1e-3), and it drops to minLr too early in the middle. The cosine starts where warm-up ends: r = (t − Tw)/(Tc − Tw).',
        'zh-CN':
          '你的余弦用的是 t/Tc，仿佛它从第 0 步就开始了：预热刚结束时它已经降了一截（课程示例第 10 步为 9.77975e-4，而不是 maxLr = 1e-3），' +
          '中段也会过早降到 minLr。余弦应从预热结束处开始：r = (t − Tw)/(Tc − Tw)。',
      },
      hint: { en: 'What rate does your schedule give at step Tw, the end of warm-up? It should be exactly maxLr.', 'zh-CN': '在预热结束的第 Tw 步，你的调度给出的学习率是多少？它应该恰好等于 maxLr。' },
      wrong: (_ctx, t, cfg) => scheduleSteps(t, cfg, { cosineFrom: 'zero' }).output,
    },
    {
      id: 'cosine-steps-after-warmup',
      title: { en: 'cosineSteps counted from the end of warm-up', 'zh-CN': 'cosineSteps 从预热结束处开始计' },
      message: {
        en:
          'Your cosine ends at step Tw + Tc, as if cosineSteps were its length. Here it is an absolute step (CS336\'s cosine_cycle_iters): the rate reaches minLr at step cosineSteps itself, 100 in the lesson, not 110.',
        'zh-CN':
          '你的余弦在第 Tw + Tc 步结束，仿佛 cosineSteps 是它的长度。这里它是绝对步号（即 CS336 的 cosine_cycle_iters）：' +
          '学习率恰好在第 cosineSteps 步到达 minLr，课程示例中是 100，而不是 110。',
      },
      hint: {
        en:
          'At which step does your rate reach minLr in the lesson\'s schedule? Compare it with cosineSteps.',
        'zh-CN':
          '在课程示例的调度中，你的学习率在第几步到达 minLr？和 cosineSteps 比较一下。',
      },
      wrong: (_ctx, t, cfg) => scheduleSteps(t, cfg, { cosineEnd: 'after-warmup' }).output,
    },
    {
      id: 'min-lr-ignored',
      title: { en: 'the cosine runs down to 0 instead of minLr', 'zh-CN': '余弦降到 0，而不是 minLr' },
      message: {
        en:
          'Your cosine goes from maxLr to 0: maxLr·½(1 + cos(π·r)). It should go from maxLr to minLr: minLr + ½(1 + cos(π·r))·(maxLr − minLr), which is 5.5e-4 halfway in the lesson, not 5e-4.',
        'zh-CN':
          '你的余弦从 maxLr 降到 0：maxLr·½(1 + cos(π·r))。它应该从 maxLr 降到 minLr：minLr + ½(1 + cos(π·r))·(maxLr − minLr)，' +
          '在课程示例中余弦段的中点是 5.5e-4，而不是 5e-4。',
      },
      hint: {
        en:
          'What does your schedule give halfway down the cosine (step 55 of the lesson)? Where does minLr enter your formula?',
        'zh-CN':
          '你的调度在余弦段中点（课程示例的第 55 步）给出多少？minLr 在你的公式里出现在哪里？',
      },
      wrong: (_ctx, t, cfg) => anyOf(scheduleSteps(t, cfg, { toZero: { after: 'minLr' } }).output, scheduleSteps(t, cfg, { toZero: { after: 'zero' } }).output),
    },
  ],
  hints: [
    {
      en:
        'Three regions: before warmupSteps, between warmupSteps and cosineSteps, after cosineSteps. Check the lesson\'s table at steps 0, 10, 55, 100 and 150.',
      'zh-CN':
        '分三个区段：warmupSteps 之前、warmupSteps 与 cosineSteps 之间、cosineSteps 之后。对照课程表格中第 0、10、55、100 和 150 步检查一下。',
    },
    {
      en:
        'In the middle region, r = (t − Tw)/(Tc − Tw) goes from 0 to 1, and ½(1 + cos(π·r)) goes from 1 to 0.',
      'zh-CN':
        '在中间区段，r = (t − Tw)/(Tc − Tw) 从 0 变到 1，而 ½(1 + cos(π·r)) 从 1 变到 0。',
    },
    {
      en:
        'The key idea: maxLr·t/Tw for t < Tw; minLr + ½(1 + cos(π·r))·(maxLr − minLr) up to t = Tc; minLr after.',
      'zh-CN':
        '关键：t < Tw 时为 maxLr·t/Tw；直到 t = Tc 为 minLr + ½(1 + cos(π·r))·(maxLr − minLr)；' +
        '之后为 minLr。',
    },
  ],
});
