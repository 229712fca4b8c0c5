/** Emulated `time` module: `Time.ticks` is the board's millisecond clock. */
import { board } from "./board";

const Time = {
  get ticks(): number {
    return board().now();
  },
};

export default Time;
