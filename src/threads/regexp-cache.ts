// libphonenumber-js checks numbers with `new RegExp('^(?:' + pattern + ')$').test(text)`
// (helpers/matchesEntirely.js), compiling the same few hundred metadata patterns again for every
// number: measured at ~40% of normalizing time. Installed in the normalizing worker thread only, this
// makes `new RegExp(source)` without flags return one compiled instance per source. That is safe
// because a regex without the g or y flag keeps no state between calls (lastIndex is ignored).
const MAX_CACHED = 5000;

export function installRegExpCache(): void {
  const Native = globalThis.RegExp;
  const cache = new Map<string, RegExp>();
  const Cached: RegExpConstructor = new Proxy(Native, {
    construct(target, args: unknown[], newTarget) {
      const [source, flags] = args;
      if (newTarget !== Cached) return Reflect.construct(target, args, newTarget); // a subclass: leave it alone
      if (typeof source !== 'string' || flags !== undefined) return Reflect.construct(target, args);
      let re = cache.get(source);
      if (re === undefined) {
        re = new Native(source);
        if (cache.size < MAX_CACHED) cache.set(source, re);
      }
      return re;
    },
  });
  globalThis.RegExp = Cached;
}
