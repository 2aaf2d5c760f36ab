import { anyOf, defineExercise, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { causalLmSteps, close, isNumber, mean, randomSequence, sharedLmCases, scoredAgainst, shiftedLosses, show, sum, wrongKind, type LmArgs } from '../objectives-math.js';

/** The same sequence with the last row of logits replaced by fresh random numbers. */
function newLastRow(rng: Rng, [logits, tokens]: LmArgs): LmArgs {
  const [[fresh]] = randomSequence(rng, 1, logits[0].length, 3);
  return [[...logits.slice(0, -1), fresh], tokens];
}

/** The same sequence with its first token changed to another id. */
function newFirstToken([logits, tokens]: LmArgs): LmArgs {
  const vocab = logits[0].length;
  return [logits, [(tokens[0] + 1) % vocab, ...tokens.slice(1)]];
}

/** A property's holds: the two calls must give the same loss; `explain` says why, given both. */
function sameLoss(explain: (first: number, second: number) => string) {
  return (outputs: number[]) => {
    const odd = wrongKind('causalLmLoss', 'a number', outputs, isNumber);
    if (odd) return odd;
    return close(outputs[1], outputs[0]) ? undefined : explain(outputs[0], outputs[1]);
  };
}

export default defineExercise<LmArgs, number>({
  entry: 'causalLmLoss',
  signature: 'causalLmLoss(logits: Matrix, tokens: number[]): number',
  cases: (rng) => [
    // The lesson example's value is torch.nn.functional.cross_entropy(logits[:-1], tokens[1:]) in float64.
    ...sharedLmCases(rng, 1.3283526494816822),
    { name: 'T = 3, every token the same id', args: [randomSequence(rng, 3, 4, 2)[0], [2, 2, 2]] },
    { name: 'equal logits in every row: log V = log 8 = 2.079442', args: [Array.from({ length: 5 }, (_, i) => new Array<number>(8).fill(i - 2)), [3, 1, 4, 1, 5]] },
  ],
  reference: ({ tf }: ReferenceContext, logits, tokens) => causalLmSteps(tf, logits, tokens).loss,
  trace: ({ tf }: ReferenceContext, logits, tokens) => causalLmSteps(tf, logits, tokens).steps,
  properties: [
    {
      name: 'the last row of logits does not change the loss',
      cases: (rng) => [5, 3].map((t) => {
        const sequence = randomSequence(rng, t, 6, 2);
        return { name: `T = ${t}, V = 6, the last row replaced`, calls: [sequence, newLastRow(rng, sequence)] };
      }),
      holds: sameLoss(
        (first, second) =>
          `Replacing the last row of logits changed your loss from ${show(first)} to ${show(second)}. ` +
          'The last position predicts the token after the sequence, which is not there: its logits are scored against nothing, so they cannot matter.',
      ),
    },
    {
      name: 'the first token does not change the loss',
      cases: (rng) => [4, 6].map((t) => {
        const sequence = randomSequence(rng, t, 5, 2);
        return { name: `T = ${t}, V = 5, tokens[0] changed`, calls: [sequence, newFirstToken(sequence)] };
      }),
      holds: sameLoss(
        (first, second) =>
          `Changing tokens[0] changed your loss from ${show(first)} to ${show(second)}. ` +
          'No position predicts the first token (nothing comes before it): it is only ever an input, so it must not be a target.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'no-shift',
      title: 'no shift: each row scored against its own token',
      message:
        'Your loss scores logits[t] against tokens[t], so the model is asked to copy the token it already sees (1.255259 instead of 1.328353 on the lesson example). ' +
        'Row t predicts the next token: score logits[t] against tokens[t + 1], for t = 0 … T − 2.',
      hint: 'On the lesson example, which token should row 0 be scored against: the one at position 0, or the one after it?',
      // Over all T rows, or over the first T − 1 rows still against their own tokens.
      wrong: (_ctx, logits, tokens) => anyOf(mean(scoredAgainst(logits, tokens)), mean(scoredAgainst(logits, tokens.slice(0, -1)))),
    },
    {
      id: 'last-position-included',
      title: 'the last position counted (divided by T, or scored against a wrapped-around token)',
      message:
        'The last row has no next token, so only T − 1 positions are scored and the mean divides by T − 1. ' +
        'Dividing the sum by T gives 0.996264 on the lesson example, and scoring the last row against tokens[0] gives 2.005259; the loss is 1.328353.',
      hint: 'How many of the T rows have a next token to be scored against? Count them on the lesson example and compare with your divisor.',
      wrong: (_ctx, logits, tokens) =>
        anyOf(sum(shiftedLosses(logits, tokens)) / logits.length, mean(scoredAgainst(logits, [...tokens.slice(1), tokens[0]]))),
    },
    {
      id: 'shifted-backwards',
      title: 'shifted the wrong way: logits[t + 1] scored against tokens[t]',
      message:
        'You dropped the first row of logits and the last token, so each row is scored against the token before it: the model is asked to predict the past (3.204476 on the lesson example). ' +
        'Drop the last row and the first token instead: logits[0 … T − 2] against tokens[1 … T − 1].',
      hint: 'Write the pairs out for T = 3: which row goes with which token? Row 0 must be in a pair, and token 0 must not.',
      wrong: (_ctx, logits, tokens) => mean(scoredAgainst(logits, tokens.slice(0, -1), 1)),
    },
    {
      id: 'sum-instead-of-mean',
      title: 'the per-position losses summed instead of averaged',
      message:
        'The loss is the mean over the T − 1 scored positions (PyTorch\'s default reduction="mean"), so it does not grow with the length of the sequence: 1.328353 on the lesson example, not the sum 3.985058.',
      hint: 'Double the length of a sequence by repeating it: should the loss double? Look at how you combine the positions.',
      wrong: (_ctx, logits, tokens) => sum(shiftedLosses(logits, tokens)),
    },
    {
      id: 'log-of-softmax',
      title: 'computing −log(softmax) or log Σ exp without subtracting the max',
      message:
        'With logits near ±1000, Math.exp overflows to Infinity (or every exp underflows to 0), so your loss is Infinity or NaN. ' +
        'Compute each position\'s loss as logsumexp(z) − z[y], with logsumexp(z) = m + log Σ exp(z − m) and m the row max.',
      hint: 'Try Math.exp(1000) in Node. Which constant can you take out of every exponent of a row without changing the softmax?',
      wrong: (_ctx, logits, tokens) => {
        const naive = (z: number[], y: number) => Math.log(sum(z.map(Math.exp))) - z[y];
        return mean(tokens.slice(1).map((y, t) => naive(logits[t], y)));
      },
    },
  ],
  hints: [
    'Write the (row, token) pairs for the lesson example: row t of logits is what the model predicts after reading tokens 0 … t.',
    'Each pair costs −log softmax(logits[t])[tokens[t + 1]] = logsumexp(logits[t]) − logits[t][tokens[t + 1]], with the row max shifted out of the log-sum-exp.',
    'Loop over t = 0 … T − 2 (the last row has no next token), add up the costs, and divide by T − 1.',
  ],
});
