// A short essay written for this project: the start of the English preset.

export const ESSAY = `The River and the Weather

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
