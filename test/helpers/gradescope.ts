import { z } from 'zod';

/**
 * Gradescope's results.json as its autograder specification documents it
 * (gradescope-autograders.readthedocs.io/en/latest/specs/, "Output format"):
 * strict, so that a field Gradescope does not know fails the test.
 */
export const gradescopeResultsSchema = z.strictObject({
  score: z.number().optional(),
  execution_time: z.number().optional(),
  output: z.string().optional(),
  output_format: z.enum(['text', 'html', 'simple_format', 'md', 'ansi']).optional(),
  visibility: z.enum(['hidden', 'after_due_date', 'after_published', 'visible']).optional(),
  stdout_visibility: z.enum(['hidden', 'after_due_date', 'after_published', 'visible']).optional(),
  extra_data: z.record(z.string(), z.unknown()).optional(),
  tests: z.array(
    z.strictObject({
      score: z.number().optional(),
      max_score: z.number().optional(),
      status: z.enum(['passed', 'failed']).optional(),
      name: z.string().optional(),
      number: z.string().optional(),
      output: z.string().optional(),
      tags: z.array(z.string()).optional(),
      visibility: z.enum(['hidden', 'after_due_date', 'after_published', 'visible']).optional(),
      extra_data: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
});
