import type { RoundingMode as CommercetoolsRoundingMode, TypedMoney } from '@commercetools/platform-sdk';

/**
 * The one place that does arithmetic on money.
 *
 * Amounts are integers of minor units (bigint) with their own number of fraction digits, so
 * `12.34 EUR` is `{ minorUnits: 1234n, fractionDigits: 2 }` and a high-precision `0.1235 EUR`
 * is `{ minorUnits: 1235n, fractionDigits: 4 }`. Floats appear only at the very end
 * ({@link toUnits}), parsed from a decimal string, so no figure ever carries binary noise
 * such as 0.30000000000000004.
 */
export interface Amount {
  readonly currency: string;
  readonly minorUnits: bigint;
  readonly fractionDigits: number;
}

/** The rounding modes commercetools applies to prices and taxes. */
export type RoundingMode = 'HalfEven' | 'HalfUp' | 'HalfDown';

const ROUNDING_MODES: readonly RoundingMode[] = ['HalfEven', 'HalfUp', 'HalfDown'];

/** Tax rates are turned into fractions of a million: commercetools rates carry at most 4–5 decimals. */
const RATE_DECIMALS = 6;
const RATE_SCALE = 10n ** BigInt(RATE_DECIMALS);

/**
 * The rounding mode of a cart or order field; commercetools' documented default is HalfEven.
 * An unknown mode throws: guessing would make figures silently differ from commercetools' own.
 */
export function roundingModeOf(mode: CommercetoolsRoundingMode | undefined): RoundingMode {
  if (mode === undefined) return 'HalfEven';
  const known = ROUNDING_MODES.find((candidate) => candidate === mode);
  if (!known) throw new RangeError(`Unsupported rounding mode: ${mode}`);
  return known;
}

/** A commercetools money value as an exact amount (high precision keeps all its digits). */
export function amountOf(money: TypedMoney): Amount {
  const integer = money.type === 'highPrecision' ? money.preciseAmount : money.centAmount;
  return {
    currency: money.currencyCode,
    minorUnits: toBigInt(integer),
    fractionDigits: checkedFractionDigits(money.fractionDigits),
  };
}

/**
 * Zero in a currency. Zero fraction digits by default: adding it to any amount keeps that
 * amount's precision, so it is the neutral start of a sum.
 */
export function zeroAmount(currency: string, fractionDigits = 0): Amount {
  return { currency, minorUnits: 0n, fractionDigits: checkedFractionDigits(fractionDigits) };
}

/** a + b, at the larger of the two precisions. Throws on different currencies. */
export function add(a: Amount, b: Amount): Amount {
  const [left, right] = alignPrecision(a, b);
  return { ...left, minorUnits: left.minorUnits + right.minorUnits };
}

/** a − b, at the larger of the two precisions. Throws on different currencies. */
export function subtract(a: Amount, b: Amount): Amount {
  const [left, right] = alignPrecision(a, b);
  return { ...left, minorUnits: left.minorUnits - right.minorUnits };
}

/** The sum of amounts in one currency; zero when there are none. */
export function sumAmounts(currency: string, amounts: Iterable<Amount>): Amount {
  let total = zeroAmount(currency);
  for (const amount of amounts) total = add(total, amount);
  return total;
}

/** A unit amount times a quantity of items (a non-negative whole number). */
export function multiplyByQuantity(amount: Amount, quantity: number): Amount {
  if (!Number.isSafeInteger(quantity) || quantity < 0) {
    throw new RangeError(`Quantity must be a non-negative whole number, got ${quantity}`);
  }
  return { ...amount, minorUnits: amount.minorUnits * BigInt(quantity) };
}

/**
 * A net amount plus tax at `rate` (commercetools' TaxRate.amount, e.g. 0.19), rounded to the
 * amount's own precision. The rate is read as a decimal with six places, so 0.08875 is exactly
 * 88750/1000000 rather than the nearest binary float.
 */
export function grossUp(net: Amount, rate: number, mode: RoundingMode = 'HalfEven'): Amount {
  return grossUpBlended(net, [{ rate, weight: 1 }], mode);
}

/**
 * A net amount plus tax at the blend of several rates, each weighing `weight` (e.g. the units of
 * a line item shipped by each method, when the methods tax differently), rounded once to the
 * amount's precision: net × Σ weight × (1 + rate) ÷ Σ weight. Weights are non-negative whole
 * numbers, at least one of them positive.
 */
export function grossUpBlended(
  net: Amount,
  rates: readonly { rate: number; weight: number }[],
  mode: RoundingMode = 'HalfEven',
): Amount {
  let factor = 0n;
  let weights = 0n;
  for (const { rate, weight } of rates) {
    if (!Number.isSafeInteger(weight) || weight < 0) throw new RangeError(`Invalid weight: ${weight}`);
    factor += BigInt(weight) * (RATE_SCALE + rateMillionths(rate));
    weights += BigInt(weight);
  }
  if (weights === 0n) throw new RangeError('No tax rate with a positive weight');
  return { ...net, minorUnits: divideRounded(net.minorUnits * factor, RATE_SCALE * weights, mode) };
}

/**
 * The part of `amount` that `part` is of `whole`: amount × part ÷ whole, rounded to the amount's
 * precision with `mode` (HalfEven by default; e.g. a shipping method's share of a discount on the
 * total price, which commercetools spreads in proportion to what each part of the cart costs).
 * `whole` is positive.
 */
export function proportionOf(
  amount: Amount,
  { part, whole, mode = 'HalfEven' }: { part: Amount; whole: Amount; mode?: RoundingMode },
): Amount {
  const [numerator, denominator] = alignPrecision(part, whole);
  if (denominator.minorUnits <= 0n) throw new RangeError('The whole of a proportion must be positive');
  sameCurrency(amount, part);
  return {
    ...amount,
    minorUnits: divideRounded(amount.minorUnits * numerator.minorUnits, denominator.minorUnits, mode),
  };
}

/**
 * amount × part ÷ whole when that is a whole number of the amount's minor units, else undefined
 * (e.g. what 1 of 3 returned items is worth, which a refund can only match if it is exact).
 * `part` and `whole` are whole numbers, `whole` positive.
 */
export function exactFraction(amount: Amount, part: number, whole: number): Amount | undefined {
  if (!Number.isSafeInteger(part) || !Number.isSafeInteger(whole) || whole <= 0) {
    throw new RangeError(`Invalid fraction ${part}/${whole}`);
  }
  const scaled = amount.minorUnits * BigInt(part);
  if (scaled % BigInt(whole) !== 0n) return undefined;
  return { ...amount, minorUnits: scaled / BigInt(whole) };
}

/**
 * A line's total spread over its `quantity` units (a positive whole number), with as many more
 * fraction digits as the quantity has: exact whenever the division comes out within them
 * (20.00 over 2 units is 10.00), otherwise rounded with `mode`, and then the units times the
 * quantity are less than half a minor unit away from the total (10.00 over 3 units: 3.333).
 */
export function perUnit(total: Amount, quantity: number, mode: RoundingMode = 'HalfEven'): Amount {
  if (!Number.isSafeInteger(quantity) || quantity <= 0) {
    throw new RangeError(`Quantity must be a positive whole number, got ${quantity}`);
  }
  const extraDigits = String(quantity).length;
  const scaled = rescale(total, checkedFractionDigits(total.fractionDigits + extraDigits));
  return { ...scaled, minorUnits: divideRounded(scaled.minorUnits, BigInt(quantity), mode) };
}

/** −a. */
export function negate(amount: Amount): Amount {
  return { ...amount, minorUnits: -amount.minorUnits };
}

/** −1, 0 or 1 as a is less than, equal to or greater than b. Throws on different currencies. */
export function compareAmounts(a: Amount, b: Amount): -1 | 0 | 1 {
  const [left, right] = alignPrecision(a, b);
  if (left.minorUnits === right.minorUnits) return 0;
  return left.minorUnits < right.minorUnits ? -1 : 1;
}

/** The smaller of a and b, as given (its own precision). */
export function minAmount(a: Amount, b: Amount): Amount {
  return compareAmounts(a, b) <= 0 ? a : b;
}

/** The larger of a and b, as given (its own precision). */
export function maxAmount(a: Amount, b: Amount): Amount {
  return compareAmounts(a, b) >= 0 ? a : b;
}

export function isNegative(amount: Amount): boolean {
  return amount.minorUnits < 0n;
}

/**
 * The amount at `fractionDigits` precision: more digits are exact, fewer are rounded with `mode`
 * (e.g. a sum of high-precision prices brought back to cents).
 */
export function roundToDigits(amount: Amount, fractionDigits: number, mode: RoundingMode = 'HalfEven'): Amount {
  checkedFractionDigits(fractionDigits);
  if (fractionDigits >= amount.fractionDigits) return rescale(amount, fractionDigits);
  const divisor = 10n ** BigInt(amount.fractionDigits - fractionDigits);
  return { ...amount, minorUnits: divideRounded(amount.minorUnits, divisor, mode), fractionDigits };
}

/** The amount written as a decimal in currency units: 1234n with 2 digits → "12.34", −5n → "-0.05". */
export function toDecimalString(amount: Amount): string {
  const negative = amount.minorUnits < 0n;
  const digits = (negative ? -amount.minorUnits : amount.minorUnits)
    .toString()
    .padStart(amount.fractionDigits + 1, '0');
  const cut = digits.length - amount.fractionDigits;
  const integerPart = digits.slice(0, cut);
  const fractionPart = digits.slice(cut);
  return `${negative ? '-' : ''}${integerPart}${fractionPart ? `.${fractionPart}` : ''}`;
}

/**
 * The amount as a JS number of currency units (12.34), for Segment's JSON. Parsed from the exact
 * decimal string, so it is the nearest double to the true value and prints as expected.
 */
export function toUnits(amount: Amount): number {
  return Number(toDecimalString(amount));
}

/** Shorthand for the common case: a commercetools money value straight to currency units. */
export function unitsOf(money: TypedMoney): number {
  return toUnits(amountOf(money));
}

/**
 * n / d rounded to an integer with `mode`; d > 0. bigint division truncates toward zero, so the
 * remainder tells how far we are from the next integer away from zero.
 */
function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  if (remainder === 0n) return quotient;
  const awayFromZero = numerator < 0n ? quotient - 1n : quotient + 1n;
  const twiceRemainder = 2n * (remainder < 0n ? -remainder : remainder);
  if (twiceRemainder > denominator) return awayFromZero;
  if (twiceRemainder < denominator) return quotient;
  // Exactly half-way: this is the only place the modes differ.
  switch (mode) {
    case 'HalfUp':
      return awayFromZero;
    case 'HalfDown':
      return quotient;
    case 'HalfEven':
      return quotient % 2n === 0n ? quotient : awayFromZero;
  }
}

function alignPrecision(a: Amount, b: Amount): [Amount, Amount] {
  sameCurrency(a, b);
  const fractionDigits = Math.max(a.fractionDigits, b.fractionDigits);
  return [rescale(a, fractionDigits), rescale(b, fractionDigits)];
}

function sameCurrency(a: Amount, b: Amount): void {
  if (a.currency !== b.currency) {
    throw new RangeError(`Cannot combine amounts in different currencies: ${a.currency} and ${b.currency}`);
  }
}

/** A tax rate as millionths; commercetools rates lie between 0 and 1, anything else is a data error. */
function rateMillionths(rate: number): bigint {
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new RangeError(`Invalid tax rate: ${rate}`);
  return BigInt(rate.toFixed(RATE_DECIMALS).replace('.', ''));
}

/** Adds trailing zero digits; never loses precision (callers only ever scale up). */
function rescale(amount: Amount, fractionDigits: number): Amount {
  if (fractionDigits === amount.fractionDigits) return amount;
  const factor = 10n ** BigInt(fractionDigits - amount.fractionDigits);
  return { ...amount, minorUnits: amount.minorUnits * factor, fractionDigits };
}

function toBigInt(integer: number): bigint {
  // Past 2^53 a JSON number may already have lost digits; refuse rather than report a wrong figure.
  if (!Number.isSafeInteger(integer)) throw new RangeError(`Money amount is not a safe integer: ${integer}`);
  return BigInt(integer);
}

function checkedFractionDigits(fractionDigits: number): number {
  if (!Number.isInteger(fractionDigits) || fractionDigits < 0 || fractionDigits > 20) {
    throw new RangeError(`Invalid fraction digits: ${fractionDigits}`);
  }
  return fractionDigits;
}
