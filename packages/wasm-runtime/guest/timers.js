// @ts-check
/**
 * Timers, bounded by the host: delays clamped to the deadline, a cap on pending timers.
 *
 * @param {import("./host-api").Primordials} P
 * @returns {import("./host-api").Pieces["timers"]}
 */
export default function timersPiece(P) {
  const { apply, host } = P;
  const { Number: NumberCtor, TypeError: TypeErrorCtor, Map: MapCtor, mapGet, mapSet, mapDelete, mapHas } = P;
  const timers = new MapCtor();
  let nextTimerId = 0;

  function setTimeout(callback, delay, ...args) {
    if (typeof callback !== "function")
      throw new TypeErrorCtor("setTimeout(callback, delay): callback must be a function");
    let ms = NumberCtor(delay);
    if (!(ms > 0)) ms = 0;
    const id = ++nextTimerId;
    host.timer("set", id, ms);
    apply(mapSet, timers, [id, { callback, args }]);
    return id;
  }

  function clearTimeout(id) {
    if (typeof id !== "number" || !apply(mapHas, timers, [id])) return;
    apply(mapDelete, timers, [id]);
    host.timer("clear", id, 0);
  }

  function fireTimer(id) {
    const timer = apply(mapGet, timers, [id]);
    if (timer === undefined) return;
    apply(mapDelete, timers, [id]);
    apply(timer.callback, undefined, timer.args);
  }

  return { setTimeout, clearTimeout, fireTimer };
}
