/**
 * The worker thread of `checkGuestTypes`: loads the TypeScript compiler, checks the one program it
 * is given, posts the diagnostics and ends. Its time and memory are bounded by the parent.
 */
import { parentPort, workerData } from "node:worker_threads";
import { checkGuestProgram, type GuestProgramInput } from "./guest-program.js";

const input = workerData as GuestProgramInput;
parentPort?.postMessage(checkGuestProgram(input));
