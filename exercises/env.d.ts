// The types a learner's workspace declares (llm-tutor-env.d.ts), so starters and solutions type-check here too.
type Vector = number[];
type Matrix = number[][];
