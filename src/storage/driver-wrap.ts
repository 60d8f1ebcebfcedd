/**
 * The proxy a defined storage is: the contract's members from the wrapper, every other member
 * (its name, a backend's own getters) from the driver. Shared by the timeline and activity
 * wrappers (`define-storage.ts`, `define-activity-storage.ts`).
 * @module
 */

/** Defined storages, so that defining twice is a no-op. */
const defined = new WeakSet<object>();

/** Whether `value` is already a defined storage (defining it again is a no-op). */
export function isDefined(value: object): boolean {
  return defined.has(value);
}

/**
 * A proxy whose contract members are `members` and whose other members (its name, a backend's
 * own getters) are the driver's, read on the driver (so private fields work). Its target is an
 * empty object with the driver's prototype: `instanceof` still sees the driver's class, and a
 * frozen driver cannot trip the proxy invariants.
 */
export function wrap<T>(driver: object, members: Record<string, unknown>): T {
  const proxy = new Proxy(Object.create(Object.getPrototypeOf(driver)) as object, {
    get(_target, property) {
      if (Object.hasOwn(members, property)) return members[property as string];
      const value: unknown = Reflect.get(driver, property, driver);
      return typeof value === 'function' ? value.bind(driver) : value;
    },
    has: (_target, property) => Object.hasOwn(members, property) || property in driver,
  });
  defined.add(proxy);
  return proxy as T;
}
