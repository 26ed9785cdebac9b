// The Chinese preset: short sentences written for this project, then generated ones from a small
// grammar written for it (family, school, weather, a river village), from a fixed seed so every
// visitor trains on the same text. Each character is one token, so the vocabulary is a few
// hundred; at the default size the validation loss keeps improving for thousands of steps.
//
// Pure module: no DOM.

import { rng } from './english.js';

const HANDWRITTEN = `小河从山上流下来。春天来了，山上的雪化了，小河的水多了。
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

const list = (s) => s.trim().split(/\s+/);

const WHO = list('我 你 他 她 我们 你们 他们 老师 妈妈 爸爸 奶奶 爷爷 哥哥 姐姐 弟弟 妹妹 小明 小红 小王 李老师 王医生 农民 孩子们 同学们 邻居 渔夫 小猫 小狗 张阿姨 刘叔叔');
const PRONOUNS = list('我 你 他 她 我们 你们 他们');
const NAMES = list('小明 小红 小王 小李 小兰 大山 小雨 阿林');
const WHEN = list('今天 明天 昨天 早上 中午 晚上 春天 夏天 秋天 冬天 星期天 每天 去年 后来 那时候 下午 周末 过年的时候');
const WHERE = list('学校 河边 家里 山上 市场 公园 桥上 田里 图书馆 火车站 湖边 村子里 厨房 花园 医院 商店 船上 院子里');
const DO = list('看书 写字 喝茶 吃饭 唱歌 画画 种树 买菜 打扫房间 洗衣服 做饭 学习中文 骑自行车 钓鱼 放风筝 跑步 等朋友 看电影 读报纸 听音乐 爬山 游泳 写信 包饺子 打电话 做作业 散步 休息 卖水果 修小船');
const FEELING = list('高兴 累 冷 热 忙 安静 饿 渴 舒服 开心');
const LOOKS = list('干净 好看 新 旧 大 小 漂亮 奇怪 贵 便宜');
const PLACE_ADJ = list('安静 热闹 干净 漂亮 远 近 冷 热 大 小');
const WEATHER = list('下雨了 下雪了 刮风了 天晴了 天很蓝 云很白 雾很大 太阳出来了 河水涨了 天气很冷 天气很热 打雷了');
const THING = list('书 苹果 鱼 茶 面包 花 衣服 信 雨伞 风筝 报纸 饺子 西瓜 鸡蛋 蜡烛 地图');
const MEASURE = { 书: '本', 苹果: '个', 鱼: '条', 茶: '杯', 面包: '个', 花: '朵', 衣服: '件', 信: '封', 雨伞: '把', 风筝: '个', 报纸: '份', 饺子: '个', 西瓜: '个', 鸡蛋: '个', 蜡烛: '根', 地图: '张' };
const DIGITS = list('一 两 三 四 五 六 七 八 九 十');
const FEEL = list('喜欢 想 不想 常常 很少 已经 还没有');

function make(seed) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const chance = (p) => r() < p;
  const num = () => (chance(0.7) ? pick(DIGITS) : `${pick(DIGITS.slice(0, 9)).replace('两', '二')}十${chance(0.5) ? pick(DIGITS.slice(0, 9)).replace('两', '二') : ''}`);
  const sentence = () => {
    const who = pick(WHO);
    const act = pick(DO);
    switch (Math.floor(r() * 14)) {
      case 0: return `${who}${pick(WHEN)}在${pick(WHERE)}${act}。`;
      case 1: return `${pick(WHEN)}，${who}在${pick(WHERE)}${act}。`;
      case 2: return `${who}很${pick(FEELING)}。`;
      case 3: return `因为${pick(WEATHER)}，所以${who}在家里${act}。`;
      case 4: return `${who}${pick(FEEL)}${act}。`;
      case 5: return `${who}想去${pick(WHERE)}${act}。`;
      case 6: return `${who}一边${act}，一边${pick(DO)}。`;
      case 7: {
        const t = pick(THING);
        return `${who}买了${num()}${MEASURE[t]}${t}。`;
      }
      case 8: return `如果${pick(WEATHER)}，我们就去${pick(WHERE)}${act}。`;
      case 9: return `${who}已经${act}了。`;
      case 10: return `${who}没有${act}，因为${PRONOUNS.includes(who) ? who : '他'}太${pick(FEELING)}了。`;
      case 11: return `${pick(WEATHER)}，${pick(WHERE)}很${pick(PLACE_ADJ)}。`;
      case 12: {
        const a = pick(NAMES);
        const b = pick(NAMES);
        return `${a}问：“你想${act}吗？”${b}说：“${chance(0.5) ? `想，我们${pick(WHEN)}去${pick(WHERE)}${act}吧` : `不想，我想${pick(DO)}`}。”`;
      }
      default: return `${who}的${pick(THING)}很${pick(LOOKS)}。`;
    }
  };
  return () => {
    let p = '';
    const n = 2 + Math.floor(r() * 5);
    for (let i = 0; i < n; i++) p += sentence();
    return `${p}\n`;
  };
}

let cached = null;

/** The Chinese preset text: the handwritten sentences, then generated ones (~400,000 characters). */
export function chineseText(chars = 400_000) {
  if (cached && cached.length >= chars) return cached.slice(0, chars);
  const line = make(20261201);
  const parts = [HANDWRITTEN];
  let n = HANDWRITTEN.length;
  while (n < chars) {
    const l = line();
    parts.push(l);
    n += l.length;
  }
  cached = parts.join('');
  return cached.slice(0, chars);
}
