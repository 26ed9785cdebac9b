// Built-in corpora. All text here was written for this project (no third-party text): English and
// Chinese from grammars written for it (www/corpora/), seeded so every visitor reads the same. The
// synthetic tasks are not here: the engine generates them (src/tasks.rs) from (task, seed), so the
// page, the command-line tool (`rnn-playground train --task NAME`) and PyTorch (`rnn-playground
// task NAME`) read the same data; the worker builds them (`build {config, task: {name, seed}}`).

import engine from './pkg/settings.js';
import { englishText } from './corpora/english.js';
import { chineseText } from './corpora/chinese.js';



/**
 * What the page says about each of the engine's synthetic tasks, by task name: a menu `label` and
 * a `note` on what recurrence can and cannot do there. The list of tasks, and its order, is the
 * engine's (the settings schema's `tasks`); a task missing here shows under its name. Each
 * training text is about 2 MB (the default model reads each character under twice in 2,000
 * steps, so it learns the rule instead of memorising lines); the validation text, 50,000
 * characters from another seed. Numbers measured with the default model (LSTM 1×128, T 64, B 32,
 * Adam 0.002) over 2,000 steps of the command-line tool.
 */
const TASK_NOTES = {
  anbn: {
    label: 'Counting: aⁿbⁿ',
    note: 'Each line is n a’s then exactly n b’s (n = 1…12), about 2 MB of lines. The a’s are unpredictable, but to end a line at the right moment the network must count them in its hidden state. LSTMs usually learn to count this far; a plain RNN often struggles, and nothing guarantees counting beyond the lengths it has seen.',
  },
  brackets: {
    label: 'Nested brackets (Dyck)',
    note: 'Balanced strings of (), [] and {} nested up to 6 deep, about 2 MB of lines. Which bracket closes next depends on what is still open, so the hidden state must act as a stack. Shallow nesting is learned well; deep nesting strains a fixed-size state, and you will see mismatched closers there first.',
  },
  remember: {
    label: 'Long-range memory: repeat the first letter',
    note: 'Each line is a random letter a–h, then 10 to 40 dots, then the same letter again. Everything but the letters after the dots is either random or easy; those last letters need a memory of 11–41 steps. A tanh RNN stays near 0.28 nats (it guesses them); an LSTM or GRU learns to carry the letter and falls towards 0.20. A truncation length T below the gap (say 4) cannot teach it either.',
  },
  period: {
    label: 'Long-period pattern (period 50)',
    note: 'A fixed random 50-letter string over a, b, c, d, repeated (the string depends on the seed). It is perfectly predictable once memorised (loss → 0), but the model must know where it is in the cycle, which takes several characters of memory. Compare a short T (e.g. 8) with T = 64: truncation limits how far back the gradient can teach it. Validation is the same string from another phase.',
  },
  copy: {
    label: 'Copy a string',
    note: 'Each line is 5–12 random letters (a–h), a bar, then the same letters again. The first half is chance; the copy is certain only if the hidden state holds the whole string. The loss falls from about 1.97 nats (the copy guessed) towards its floor of 1.04 (the first halves and their lengths are random): an LSTM or a GRU reaches about 1.12 in 2,000 steps, while a tanh RNN stays at 1.97 — it cannot carry a dozen letters that far.',
  },
  parity: {
    label: 'Parity of a bit string',
    note: 'Each line is 1–12 random bits, “=”, then their parity (1 when the count of 1s is odd). One bit of memory flipped at every 1 is enough, and even a tanh RNN learns it. The average loss hides it: the bits and the lengths are random, so the floor is 0.736 nats and not knowing the parity costs only 0.07 more; all three cells reach about 0.742 in 2,000 steps. Check the samples: the digit after “=” should match the 1s.',
  },
};

/**
 * The presets: `id`, menu `label`, a one-line `note` on what recurrence can and cannot do here,
 * and either `text()` producing the corpus, or `task: true` for the engine's synthetic tasks (`id`
 * is the task's name): those have no text here, the worker builds and shows them. `settings`:
 * what choosing the preset in the menu also sets (a link's own values stay).
 */
export const PRESETS = [
  {
    id: 'english',
    label: 'English stories (a river valley)',
    note: 'A short essay, then about 1 MB of stories from a small grammar written for this project: people, places, weather and work in a river valley, with dialogue, numbers and dates. Within a minute the samples show words, punctuation and quotes; names, agreement and whole sentences come later. The text is long enough that the validation loss keeps falling for thousands of steps (default model, measured with the command-line tool: 0.64 nats at step 1,000, 0.51 at 2,000, 0.48 at 3,000) instead of the model memorising it.',
    text: () => englishText(),
  },
  {
    id: 'english-words',
    label: 'English stories, word by word',
    note: 'The English stories above, read as the article’s language model reads text: one word, punctuation mark or run of spaces per step (410,000 tokens; 1,512 distinct, all within the vocabulary cap, so nothing is unknown). A word model sees a whole sentence in one sequence of T = 64 steps, so its samples read as sentences after a few hundred steps, and per character it beats the character model of the same text. Measured with the command-line tool (default model, tokens = words), the validation loss in bits per character (nats per token): 1.42 (2.40) at step 250, 1.05 (1.78) at 500, 0.73 (1.23) at 1,000, 0.61 (1.02) at 2,000, 0.59 (0.99) at 3,000 — still falling after 16 passes over the text, the training loss no lower, so it is not memorising; the character model is at 0.92, 0.74 and 0.69 bits per character at steps 1,000, 2,000 and 3,000. Compare both on the loss chart in bits per character. Where words lose: a small or varied text (few repeats, names, code, typos), where most words are seen once and share the unknown token, and a large vocabulary makes the output layer the cost of every step.',
    text: () => englishText(),
    settings: { tokens: 'words' },
  },
  {
    id: 'chinese',
    label: 'Chinese: simple sentences',
    note: 'Short Chinese sentences written for this project, then about 400,000 more from a small grammar (family, school, weather, a river village). Each character is one token, so the vocabulary has about 300 entries. The model soon learns frequent characters and the sentence endings (。，“”); its validation loss keeps improving past 3,000 steps (default model: 1.043 nats at step 1,000, 1.033 at 2,000, 1.030 at 3,000).',
    text: () => chineseText(),
  },
  // (An engine table from before the tasks, pkg/settings.js not yet rebuilt: the tasks described here.)
  ...(engine.tasks ?? Object.keys(TASK_NOTES)).map((name) => ({ id: name, task: true, label: name, note: '', ...TASK_NOTES[name] })),
];

/** Looks a preset up by id. */
export function presetById(id) {
  return PRESETS.find((p) => p.id === id) ?? null;
}
