// The English preset: a short essay written for this project, then about a megabyte of stories
// from a small grammar written for it (people, places, weather and work in a river valley),
// generated from a fixed seed so every visitor trains on the same text. A model learns spelling,
// words, punctuation, dialogue and simple syntax from it; at the default size its validation
// loss keeps improving for thousands of steps instead of memorising a few paragraphs.
//
// Pure module: no DOM.

import { ESSAY } from './essay.js';

/** mulberry32: a small seeded PRNG, so the text is identical on every load. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const words = (s) => s.trim().split(/\s*\|\s*/);

const NAMES = words('Anna | Ben | Clara | David | Elena | Farid | Grace | Hugo | Ines | Jonas | Kira | Leo | Maya | Nils | Olga | Pablo | Rosa | Sam | Tara | Umar | Vera | Will | Yara | Zoe | Marta | Tomas | Lucia | Oskar | Nadia | Felix | Hana | Ivo');
const ROLES = words('the farmer | the miller | the teacher | the baker | the fisherman | the doctor | an old woman | a young man | the children | the ferryman | the shepherd | the postman | the mayor | a stranger | the girl | the boy | her brother | his sister | their grandmother | the carpenter | the innkeeper | a traveller | the boatman | the weaver');
const ANIMALS = words('the dog | a heron | the cat | the horses | a fox | the swallows | the cows | an owl | the goats | a small bird | the geese | a hare | the old horse | the bees');
const PLACES = words('the river | the valley | the village | the market | the bridge | the mill | the hills | the forest | the harbour | the school | the station | the old church | the meadow | the orchard | the lake | the road to town | the mountain | the square | the kitchen | the garden | the barn | the shore | the well | the island');
const THINGS = words('a letter | a basket of apples | the bread | a lamp | the boat | an umbrella | a map | the keys | a book | the bell | a kite | a blanket | the nets | a jar of honey | the old clock | a wooden box | the fence | a pair of boots | the cart | a loaf of rye | the ladder | a bucket of water | the photograph | a red scarf | the wheel | some candles | a bag of flour | the window');
const TIMES = words('In the morning | At noon | In the evening | At night | On Sunday | In spring | In the summer | After the rain | Before dawn | Every day | Last winter | The next day | For a long time | That autumn | On market day | Early in the year | Late in the afternoon | Once a week | After supper | Before the storm');
const WEATHER = words('it rained all day | the wind rose in the west | the sun came out | snow fell on the hills | a storm came over the mountain | fog lay on the water | it was cold and clear | the sky cleared | the river rose | the first frost came | thunder rolled over the valley | the air was warm and still | a light rain began | the ice on the lake cracked | the clouds grew dark');
const ADJ = words('old | young | quiet | bright | heavy | small | warm | cold | green | grey | tired | happy | careful | narrow | wide | wet | dry | red | blue | golden | strange | patient | busy | empty | gentle | proud | lonely | clever | sleepy | noisy');
const ADV = words('slowly | quickly | carefully | quietly | again | together | suddenly | gladly | at last | once more | without a word | in silence');
// base | past | third person | -ing, with an object slot where the verb takes one
const VERBS = [
  ['carry', 'carried', 'carries', 'carrying', 'T'], ['find', 'found', 'finds', 'finding', 'T'], ['open', 'opened', 'opens', 'opening', 'T'],
  ['watch', 'watched', 'watches', 'watching', 'T'], ['bring', 'brought', 'brings', 'bringing', 'T'], ['sell', 'sold', 'sells', 'selling', 'T'],
  ['build', 'built', 'builds', 'building', 'T'], ['mend', 'mended', 'mends', 'mending', 'T'], ['follow', 'followed', 'follows', 'following', 'T'],
  ['paint', 'painted', 'paints', 'painting', 'T'], ['lose', 'lost', 'loses', 'losing', 'T'], ['keep', 'kept', 'keeps', 'keeping', 'T'],
  ['clean', 'cleaned', 'cleans', 'cleaning', 'T'], ['lift', 'lifted', 'lifts', 'lifting', 'T'], ['hide', 'hid', 'hides', 'hiding', 'T'],
  ['wait', 'waited', 'waits', 'waiting', 'I'], ['sing', 'sang', 'sings', 'singing', 'I'], ['sleep', 'slept', 'sleeps', 'sleeping', 'I'],
  ['laugh', 'laughed', 'laughs', 'laughing', 'I'], ['listen', 'listened', 'listens', 'listening', 'I'], ['work', 'worked', 'works', 'working', 'I'],
  ['walk', 'walked', 'walks', 'walking', 'P'], ['run', 'ran', 'runs', 'running', 'P'], ['go', 'went', 'goes', 'going', 'P'],
  ['come back', 'came back', 'comes back', 'coming back', 'P'], ['climb', 'climbed', 'climbs', 'climbing', 'P'], ['row', 'rowed', 'rows', 'rowing', 'P'],
  ['remember', 'remembered', 'remembers', 'remembering', 'T'], ['forget', 'forgot', 'forgets', 'forgetting', 'T'], ['visit', 'visited', 'visits', 'visiting', 'L'],
  ['cross', 'crossed', 'crosses', 'crossing', 'L'], ['leave', 'left', 'leaves', 'leaving', 'L'], ['reach', 'reached', 'reaches', 'reaching', 'L'],
];
/** The things that take "a" or "an": "There was a …". */
const SINGLE = THINGS.filter((t) => /^an? /.test(t));
const PREP = words('to | towards | along | across | past | around | through | down to | up to | out of');
const LOC = words('by | near | behind | under | beside | above | at | in front of');
const FEEL = words('glad | worried | surprised | sure | afraid | curious | sorry | proud');

function make(seed) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const chance = (p) => r() < p;
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  const cap = (s) => s[0].toUpperCase() + s.slice(1);
  const agent = () => (chance(0.45) ? pick(NAMES) : chance(0.8) ? pick(ROLES) : pick(ANIMALS));
  const thing = () => (chance(0.25) ? withAdj(pick(THINGS)) : pick(THINGS));
  const withAdj = (np) => {
    const m = /^(a|an|the|some|his|her|their) (.*)$/.exec(np);
    if (!m) return np;
    const adj = pick(ADJ);
    const det = m[1] === 'a' || m[1] === 'an' ? (/^[aeiou]/.test(adj) ? 'an' : 'a') : m[1];
    return `${det} ${adj} ${m[2]}`;
  };
  const object = (v) => {
    if (v[4] === 'T') return ` ${thing()}`;
    if (v[4] === 'P') return ` ${pick(PREP)} ${pick(PLACES)}`;
    if (v[4] === 'L') return ` ${pick(PLACES)}`;
    return chance(0.5) ? ` ${pick(LOC)} ${pick(PLACES)}` : '';
  };
  const vpPast = () => {
    const v = pick(VERBS);
    return `${v[1]}${object(v)}${chance(0.25) ? ` ${pick(ADV)}` : ''}`;
  };
  const clause = () => `${agent()} ${vpPast()}`;
  const number = () => (chance(0.5) ? String(int(2, 40)) : String(int(100, 1999)));
  const sentence = () => {
    switch (int(0, 13)) {
      case 0: return `${pick(TIMES)}, ${clause()}.`;
      case 1: return `${cap(clause())} and ${vpPast()}.`;
      case 2: return `When ${pick(WEATHER)}, ${clause()}.`;
      case 3: return `${cap(agent())} was ${pick(ADJ)}, and ${agent()} was ${pick(ADJ)}.`;
      case 4: return `There was ${withAdj(pick(SINGLE))} ${pick(LOC)} ${pick(PLACES)}.`;
      case 5: return `${cap(pick(WEATHER))}, so ${clause()}.`;
      case 6: return `${cap(agent())} counted ${number()} ${pick(['sheep', 'apples', 'boats', 'stones', 'steps', 'birds', 'coins', 'days'])} before ${clause()}.`;
      case 7: return `${cap(clause())}, because ${pick(WEATHER)}.`;
      case 8: return `${cap(agent())} was ${pick(FEEL)} that ${clause()}.`;
      case 9: return `Nobody knew why ${clause()}.`;
      case 10: return `${cap(agent())} ${pick(['bought', 'found', 'carried', 'wanted'])} ${thing()}, ${thing()} and ${thing()}.`;
      case 11: return `In ${int(1890, 1990)} ${clause()}.`;
      case 12: return `${cap(clause())}; ${clause()}.`;
      default: return `${cap(clause())}.`;
    }
  };
  const said = () => pick(['said', 'asked', 'answered', 'called', 'whispered', 'laughed']);
  const line = () => {
    const who = pick(NAMES);
    const v = pick(VERBS);
    switch (int(0, 5)) {
      case 0: return `“Where is ${pick(THINGS)}?” ${said().replace('said', 'asked')} ${who}.`;
      case 1: return `“We should ${v[0]}${object(v)} before ${pick(['dark', 'the rain', 'winter', 'noon', 'the market opens'])},” said ${who}.`;
      case 2: return `“Did you see ${agent()}?” ${who} asked. “${cap(clause())}.”`;
      case 3: return `“I am ${pick(FEEL)},” said ${who}, “but ${clause()}.”`;
      case 4: return `${who} ${said()}, “${cap(pick(WEATHER))}.”`;
      default: return `“${cap(v[0])} ${object(v).trim() || 'here'}, please,” said ${who}.`;
    }
  };
  const paragraph = () => {
    const n = int(3, 7);
    const out = [];
    if (chance(0.3)) for (let i = 0; i < n; i++) out.push(chance(0.6) ? line() : sentence());
    else for (let i = 0; i < n; i++) out.push(sentence());
    return out.join(' ');
  };
  return { paragraph, title: () => `${cap(pick(PLACES).replace(/^the /, 'The '))}` };
}

let cached = null;

/** The English preset text: the essay, then ~1 MB of generated stories (the same on every load). */
export function englishText(chars = 1_000_000) {
  if (cached && cached.length >= chars) return cached.slice(0, chars);
  const g = make(20261130);
  const parts = [ESSAY];
  let n = ESSAY.length;
  let chapter = 1;
  while (n < chars) {
    const head = `\n${chapter === 1 || chance1(chapter) ? `Chapter ${chapter}: ${g.title()}\n\n` : ''}`;
    chapter += 1;
    let block = head;
    const paras = 4 + (chapter % 5);
    for (let i = 0; i < paras; i++) block += `${g.paragraph()}\n\n`;
    parts.push(block);
    n += block.length;
  }
  cached = parts.join('');
  return cached.slice(0, chars);
}

const chance1 = (k) => k % 3 === 0;
