// Built-in corpora. All text here was written for this project (no third-party text). The
// synthetic tasks are not here: the engine generates them (src/tasks.rs) from (task, seed), so the
// page, the command-line tool (`rnn-playground train --task NAME`) and PyTorch (`rnn-playground
// task NAME`) read the same data; the worker builds them (`build {config, task: {name, seed}}`).

import engine from './pkg/settings.js';

const ENGLISH = `The River and the Weather

A river begins as a thought the mountain has in the spring. Snow softens on the high slopes, water finds the smallest crack, and the crack becomes a channel. By the time the water reaches the valley it has a name, and people who live beside it speak of it as if it had always been there.

The river does not plan its course. It follows the easiest way down, and the easiest way changes. After a wet winter the water is brown and fast, and it carries stones, branches and whole banks of sand. After a dry summer it is clear and slow, and children can walk across it on the flat grey rocks. The same river is a different river every season.

Weather is the river's teacher. Rain in the hills arrives in the town two days later. A warm wind in March melts the snow too quickly, and the water rises over the meadows. A cold night in November makes a thin skin of ice along the edges, and in the morning the ice sings when the sun touches it. Those who watch the river for many years learn to read the sky and the water together.

Learning is a little like a river. At first the water spreads everywhere and goes nowhere. Then a small path forms, and the next drop follows the path, and the path grows deeper. Every time we practise something, we cut the channel a little deeper, until the water runs there without thinking. This is why habits are easy to keep and hard to change.

But a river that only cuts deeper becomes a canyon, and a canyon cannot move. Good learning keeps some of the water free. It leaves room for a flood to find a new way. A student who makes mistakes is not failing; she is letting the water test the ground.

In the evening the river is quiet. The birds come down to drink, the light turns the surface into copper, and the sound of the water is the only sound in the valley. The farmer walks home along the bank. He looks at the clouds in the west and says that it will rain tomorrow, and he is usually right, because he has watched this sky for forty years.

The weather changes, the river changes, and the people change with them. The old bridge was built of wood, and the flood of one hard spring carried it away. The new bridge is built of stone, and it stands higher above the water. Someone carved the year into the first stone, and the rain has almost washed the numbers away.

When the rain comes, it comes from the west. First the wind turns cold and the leaves show their pale side. Then the light goes green, and the first drops fall on the dust like coins. The river answers slowly. It takes the rain from every field and every roof and every road, and it carries all of it to the sea.

The sea does not keep the water. The sun lifts it again as a cloud, the wind carries the cloud back over the land, and the rain falls on the mountain where the river began. Nothing is lost; it only moves. A teacher once said that knowledge works the same way: what you give away comes back to you as rain.

On clear days the river is a mirror. It holds the sky, the trees and the faces of those who lean over the bridge. On windy days the mirror breaks into a thousand pieces of light. Both are the same water. Both are true.

If you want to understand a river, walk beside it for a whole year. Write down the colour of the water, the height of the bank, the birds you see and the weather of each day. At the end of the year you will not know everything, but you will know how to ask better questions, and that is the beginning of learning.

There is an old mill at the bend of the river. Its wheel has not turned for many years, but the water still pushes against it, patient and steady, as if it remembers the work it used to do. In the spring the miller's grandchildren come to look at it. They throw small sticks into the stream above the wheel and run down to the bridge to see which stick arrives first. The winner is always the stick that found the middle of the current, where the water is deepest and fastest.

The weather in the valley has its own habits. In the morning a white mist lies on the water, and the trees on the far bank look like grey shadows. By nine o'clock the sun has burned the mist away. In the afternoon the clouds grow tall over the hills, and on summer days they often turn dark and break into a short, loud storm. Then the air is clean, the road steams, and the swallows fly low over the river to catch the insects the rain has shaken loose.

A good student of the weather keeps a notebook. Every morning she writes the temperature, the direction of the wind, the shape of the clouds and the height of the river at the old stone marker. At first the notes seem to say nothing. After a month she notices that a south wind brings warm rain, and that the river rises a day after the clouds cover the hills. After a year she can tell her neighbours when to cut the hay and when to wait. She did not learn this from a book; she learned it from the pattern in her own notes.

Machines can learn in a similar way. A small network reads a long text one letter at a time and tries to guess the next letter. At the beginning its guesses are random, and every mistake is large. Slowly it learns that a space often follows a word, that a capital letter often follows a full stop, and that the letters t, h and e often come together. It never understands the river or the rain, but it learns the shape of the words that describe them.

The river teaches patience. It does not hurry, and it does not stop. A stone that lies in the water for a hundred years becomes smooth and round, not because the water is strong, but because the water is always there. Small lessons, repeated every day, change us in the same quiet way.

In winter the valley is white and still. The river runs black between the snowy banks, and its voice is softer under the ice. The farmer mends his fences, the children skate on the pond behind the school, and the teacher reads to them in the warm classroom while the snow falls past the window. When the days grow longer again, the ice cracks with a sound like thunder, and the river begins to speak in its full voice. Then everyone knows that spring has come back to the valley, and the whole story begins again.
`;

const CHINESE = `小河从山上流下来。春天来了，山上的雪化了，小河的水多了。
小河流过田野，流过村子，流过小桥。孩子们在河边玩，老人在河边坐。
天气好的时候，河水很清，我们能看见水里的小鱼。下雨的时候，河水很急，河水是黄色的。
我每天早上去学校，都会走过这条小河。我看一看天，看一看水，就知道今天的天气。
老师说，学习就像小河。每天学一点，每天走一点，小河就会流到大海。
今天下雨了。雨从西边来，风很冷，树叶在风里唱歌。我们在家里看书，喝热茶。
明天天晴了。太阳出来了，天很蓝，云很白。我们去河边走一走，听一听水的声音。
小河不停地流。白天它流，晚上它也流。冬天它慢一点，夏天它快一点。
我问妈妈：河水流到哪里去了？妈妈说：河水流到大海，大海的水变成云，云变成雨，雨又回到山上。
我说：那小河是不是永远不会没有水？妈妈笑了，她说：只要天上下雨，小河就有水。
学习也是这样。我们每天读书，每天写字，每天问问题。今天不懂的，明天会懂。
秋天到了，树叶黄了，河边的草也黄了。早上有一点冷，河上有白白的雾。
冬天到了，河边有薄薄的冰。太阳出来，冰就化了，小河又开始唱歌。
我喜欢这条小河。我喜欢它的声音，喜欢它的颜色，也喜欢它每天都不一样。
`;

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
 * is the task's name): those have no text here, the worker builds and shows them.
 */
export const PRESETS = [
  {
    id: 'english',
    label: 'English prose (rivers and weather)',
    note: 'About 6 KB of plain English prose. Within a minute or two the samples show spaces, common words and punctuation; spelling and grammar come later, and meaning never does — the model only predicts the next character. The text is short, so after a minute or so the model starts to memorise it: watch the validation loss turn back up while the training loss keeps falling (overfitting).',
    text: () => ENGLISH,
  },
  {
    id: 'chinese',
    label: 'Chinese: simple sentences',
    note: 'Short Chinese sentences: each character is one token, so the vocabulary is larger and the text shorter. The model soon learns frequent characters and sentence endings (。，); with so little text it mostly memorises phrases.',
    text: () => CHINESE,
  },
  // (An engine table from before the tasks, pkg/settings.js not yet rebuilt: the tasks described here.)
  ...(engine.tasks ?? Object.keys(TASK_NOTES)).map((name) => ({ id: name, task: true, label: name, note: '', ...TASK_NOTES[name] })),
];

/** Looks a preset up by id. */
export function presetById(id) {
  return PRESETS.find((p) => p.id === id) ?? null;
}
