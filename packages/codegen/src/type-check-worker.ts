/**
 * The worker thread of the guest type checker: loads the TypeScript compiler as soon as it starts
 * (so a caller can start it early, while servers connect), then checks the one program it is sent,
 * posts the diagnostics and ends. Its time and memory are bounded by the parent.
 */
import { parentPort } from "node:worker_threads";
import { checkGuestProgram, type GuestProgramInput } from "./guest-program.js";

parentPort?.once("message", (input: GuestProgramInput) => {
  parentPort?.postMessage(checkGuestProgram(input));
});
