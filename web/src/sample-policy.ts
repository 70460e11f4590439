// The policy the editor starts with: a payer's rule on top of the standard pack, which denies a
// line of the sample claim "Epidural with 77003 and 76000" (fluoroscopy-76000-with-77003.json).

export const SAMPLE_POLICY = `# Your policy, checked on top of the standard pack as you type.
# Pick a sample claim below, then Run (or tick "Run on change").

codes "playground spinal guidance" are 77002, 77003
codes "playground epidurals" are 62320-62327

rule playground.short-spinal-guidance
  for each line in "playground spinal guidance"
  when claim has "playground epidurals" and fluoroscopy_minutes < 1
  deny "{code} on line {line}: under a minute of fluoroscopy for an epidural is not paid separately"
`;
