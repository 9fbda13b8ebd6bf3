/// <reference types="jest" />
// @types/jest declares the asymmetric matchers (`expect.any(Number)`, `expect.objectContaining(…)`)
// as returning `any`, so typescript-eslint's no-unsafe-* rules flag every expected object that
// holds one. At run time they return an AsymmetricMatcher; these declarations say so. Interface
// merging puts the overloads of the later declaration first: the reference above makes this one
// the later (without it, the library's `any` overloads still win).
declare namespace jest {
  interface Expect {
    any(classType: unknown): AsymmetricMatcher;
    anything(): AsymmetricMatcher;
    arrayContaining<E = unknown>(arr: readonly E[]): AsymmetricMatcher;
    objectContaining<E = object>(obj: E): AsymmetricMatcher;
    stringMatching(str: string | RegExp): AsymmetricMatcher;
    stringContaining(str: string): AsymmetricMatcher;
  }
}
