// The minimal app of issue 16, item 1: a promise reaction queued inside a
// 0 ms Timer callback that was itself set from a promise job.
import Timer from "timer";
Promise.resolve().then(() => {
  Timer.set(() => { trace("timer ran\n"); Promise.resolve().then(() => trace("reaction ran\n")); }, 0);
});
