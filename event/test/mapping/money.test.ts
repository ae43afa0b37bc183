import {
  add,
  amountOf,
  compareAmounts,
  exactFraction,
  grossUp,
  grossUpBlended,
  isNegative,
  maxAmount,
  minAmount,
  multiplyByQuantity,
  negate,
  perUnit,
  proportionOf,
  roundingModeOf,
  roundToDigits,
  subtract,
  sumAmounts,
  toDecimalString,
  toUnits,
  unitsOf,
  zeroAmount,
  type Amount,
} from '../../src/mapping/money';
import { money, preciseMoney } from '../support/builders';

const eur = (minorUnits: bigint, fractionDigits = 2): Amount => ({ currency: 'EUR', minorUnits, fractionDigits });

describe('amountOf', () => {
  it('reads cent precision from centAmount', () => {
    expect(amountOf(money(1234, 'EUR'))).toEqual(eur(1234n));
  });

  it('reads high precision from preciseAmount with its own fraction digits, not from centAmount', () => {
    expect(amountOf({ ...preciseMoney(1235, 4, 'EUR'), centAmount: 12 })).toEqual(eur(1235n, 4));
  });

  it('refuses amounts that a JS number cannot hold exactly', () => {
    expect(() => amountOf(money(2 ** 53 + 2, 'EUR'))).toThrow(RangeError);
    expect(() => amountOf(money(12.5, 'EUR'))).toThrow(RangeError);
  });
});

describe('toDecimalString / toUnits', () => {
  it.each([
    [1234n, 2, '12.34', 12.34],
    [5n, 2, '0.05', 0.05],
    [-5n, 2, '-0.05', -0.05],
    [-123456n, 2, '-1234.56', -1234.56],
    [1200n, 0, '1200', 1200], // JPY has no minor unit
    [12345n, 3, '12.345', 12.345], // KWD has three
    [-12345n, 3, '-12.345', -12.345],
    [1235n, 4, '0.1235', 0.1235],
    [0n, 2, '0.00', 0],
  ])('%p with %p digits is "%s"', (minorUnits, fractionDigits, text, units) => {
    const amount = eur(minorUnits, fractionDigits);
    expect(toDecimalString(amount)).toBe(text);
    expect(toUnits(amount)).toBe(units);
  });

  it('unitsOf goes straight from commercetools money to units', () => {
    expect(unitsOf(money(59360, 'KWD'))).toBe(59.36);
    expect(unitsOf(preciseMoney(715, 4, 'EUR'))).toBe(0.0715);
  });
});

describe('adding and subtracting', () => {
  it('gets 0.10 + 0.20 exactly right, where floats give 0.30000000000000004', () => {
    expect(0.1 + 0.2).not.toBe(0.3); // the trap
    expect(toUnits(add(amountOf(money(10, 'EUR')), amountOf(money(20, 'EUR'))))).toBe(0.3);
  });

  it('gets 142.98 − 6.99 − 14.99 = 121 exactly, where floats give 120.99999999999999', () => {
    expect(142.98 - 6.99 - 14.99).not.toBe(121);
    const result = subtract(subtract(eur(14298n), eur(699n)), eur(1499n));
    expect(toUnits(result)).toBe(121);
  });

  it('scales mixed precision to the larger one: 12.34 + 0.1235 = 12.4635', () => {
    expect(add(amountOf(money(1234, 'EUR')), amountOf(preciseMoney(1235, 4, 'EUR')))).toEqual(eur(124635n, 4));
    expect(add(amountOf(preciseMoney(1235, 4, 'EUR')), amountOf(money(1234, 'EUR')))).toEqual(eur(124635n, 4));
  });

  it('goes below zero: 5.00 − 7.25 = −2.25', () => {
    expect(subtract(eur(500n), eur(725n))).toEqual(eur(-225n));
    expect(toUnits(subtract(eur(500n), eur(725n)))).toBe(-2.25);
  });

  it('sums nothing to zero and a list in one currency exactly', () => {
    expect(toUnits(sumAmounts('EUR', []))).toBe(0);
    // 0.0025 + 0.0030 per screw: floats give 0.0055 here but 2.4749999999999996 once × 450
    expect((0.0025 + 0.003) * 450).not.toBe(2.475);
    const perUnit = sumAmounts('EUR', [eur(25n, 4), eur(30n, 4)]);
    expect(multiplyByQuantity(perUnit, 450)).toEqual(eur(24750n, 4));
  });

  it('refuses to combine different currencies', () => {
    const usd: Amount = { currency: 'USD', minorUnits: 100n, fractionDigits: 2 };
    expect(() => add(eur(100n), usd)).toThrow(/different currencies: EUR and USD/);
    expect(() => subtract(eur(100n), usd)).toThrow(RangeError);
    expect(() => sumAmounts('EUR', [eur(100n), usd])).toThrow(RangeError);
  });

  it('zeroAmount is neutral and keeps the other precision', () => {
    expect(add(zeroAmount('KWD'), { currency: 'KWD', minorUnits: 12345n, fractionDigits: 3 })).toEqual({
      currency: 'KWD',
      minorUnits: 12345n,
      fractionDigits: 3,
    });
  });
});

describe('multiplyByQuantity', () => {
  it('multiplies minor units: 8.99 × 2 = 17.98; −1.45 × 3 = −4.35', () => {
    expect(multiplyByQuantity(eur(899n), 2)).toEqual(eur(1798n));
    expect(multiplyByQuantity(eur(-145n), 3)).toEqual(eur(-435n));
  });

  it('rejects negative or fractional quantities', () => {
    expect(() => multiplyByQuantity(eur(100n), -1)).toThrow(RangeError);
    expect(() => multiplyByQuantity(eur(100n), 1.5)).toThrow(RangeError);
  });
});

describe('grossUp', () => {
  it('adds tax and rounds to the amount precision: 17.98 × 1.08875 = 19.575725 → 19.58', () => {
    expect(grossUp(eur(1798n), 0.08875)).toEqual(eur(1958n));
  });

  it('reads the rate as a decimal: 1.50 × 1.07 = 1.605 exactly, a tie → HalfEven 1.60', () => {
    // In floats 1.5 * 1.07 is 1.6050000000000002, which would round up to 1.61.
    expect(Math.round(1.5 * 1.07 * 100) / 100).toBe(1.61);
    expect(grossUp(eur(150n), 0.07, 'HalfEven')).toEqual(eur(160n));
    expect(grossUp(eur(150n), 0.07, 'HalfUp')).toEqual(eur(161n));
  });

  it('applies each rounding mode on a tie: 10.00 × 1.1025 = 11.025', () => {
    expect(grossUp(eur(1000n), 0.1025, 'HalfEven')).toEqual(eur(1102n)); // 1102 is even
    expect(grossUp(eur(1000n), 0.1025, 'HalfUp')).toEqual(eur(1103n));
    expect(grossUp(eur(1000n), 0.1025, 'HalfDown')).toEqual(eur(1102n));
  });

  it('HalfEven goes up when the lower neighbour is odd: 0.30 × 1.05 = 0.315 → 0.32', () => {
    expect(grossUp(eur(30n), 0.05, 'HalfEven')).toEqual(eur(32n));
    expect(grossUp(eur(30n), 0.05, 'HalfDown')).toEqual(eur(31n));
  });

  it('rounds negative amounts symmetrically: −10.00 × 1.1025 = −11.025', () => {
    expect(grossUp(eur(-1000n), 0.1025, 'HalfEven')).toEqual(eur(-1102n));
    expect(grossUp(eur(-1000n), 0.1025, 'HalfUp')).toEqual(eur(-1103n)); // away from zero
    expect(grossUp(eur(-1000n), 0.1025, 'HalfDown')).toEqual(eur(-1102n));
    expect(grossUp(eur(-1798n), 0.08875)).toEqual(eur(-1958n));
  });

  it('keeps three-digit and zero-digit currencies in their precision', () => {
    // KWD 7.312 × 1.05 = 7.6776 → 7.678
    expect(grossUp({ currency: 'KWD', minorUnits: 7312n, fractionDigits: 3 }, 0.05)).toEqual({
      currency: 'KWD',
      minorUnits: 7678n,
      fractionDigits: 3,
    });
    // JPY 220 × 1.1 = 242 exactly
    expect(grossUp({ currency: 'JPY', minorUnits: 220n, fractionDigits: 0 }, 0.1)).toEqual({
      currency: 'JPY',
      minorUnits: 242n,
      fractionDigits: 0,
    });
  });

  it('leaves an amount unchanged at rate 0 and rejects impossible rates', () => {
    expect(grossUp(eur(1234n), 0)).toEqual(eur(1234n));
    expect(() => grossUp(eur(1234n), -0.19)).toThrow(RangeError);
    expect(() => grossUp(eur(1234n), Number.NaN)).toThrow(RangeError);
    expect(() => grossUp(eur(1234n), 19)).toThrow(RangeError); // 19 instead of 0.19
  });
});

describe('grossUpBlended', () => {
  it('is grossUp when there is one rate', () => {
    expect(grossUpBlended(eur(1798n), [{ rate: 0.08875, weight: 3 }])).toEqual(grossUp(eur(1798n), 0.08875));
  });

  it('weighs the rates and rounds once: 10.00 over 2 units at 10.25 % and 1 at 6.25 %', () => {
    // 10.00 × (2 × 1.1025 + 1 × 1.0625) / 3 = 10.00 × 3.2675 / 3 = 10.891666… → 10.89
    expect(
      grossUpBlended(eur(1000n), [
        { rate: 0.1025, weight: 2 },
        { rate: 0.0625, weight: 1 },
      ]),
    ).toEqual(eur(1089n));
    // A weight of 0 leaves its rate out: all at 6.25 % is 10.625 → HalfEven 10.62, HalfUp 10.63.
    expect(
      grossUpBlended(eur(1000n), [
        { rate: 0.1025, weight: 0 },
        { rate: 0.0625, weight: 2 },
      ]),
    ).toEqual(eur(1062n));
    expect(
      grossUpBlended(
        eur(1000n),
        [
          { rate: 0.1025, weight: 0 },
          { rate: 0.0625, weight: 2 },
        ],
        'HalfUp',
      ),
    ).toEqual(eur(1063n));
  });

  it('refuses no weight at all, negative or fractional weights and impossible rates', () => {
    expect(() => grossUpBlended(eur(1000n), [])).toThrow(RangeError);
    expect(() => grossUpBlended(eur(1000n), [{ rate: 0.19, weight: 0 }])).toThrow(RangeError);
    expect(() => grossUpBlended(eur(1000n), [{ rate: 0.19, weight: -1 }])).toThrow(RangeError);
    expect(() => grossUpBlended(eur(1000n), [{ rate: 0.19, weight: 1.5 }])).toThrow(RangeError);
    expect(() => grossUpBlended(eur(1000n), [{ rate: 1.9, weight: 1 }])).toThrow(RangeError);
  });
});

describe('proportionOf', () => {
  it('takes the share of a part in a whole, rounded to the amount’s precision', () => {
    // 15.00 off a 142.20 cart of which 2.95 is shipping: 15.00 × 2.95 / 142.20 = 0.31118… → 0.31
    expect(proportionOf(eur(1500n), { part: eur(295n), whole: eur(14220n) })).toEqual(eur(31n));
    // 20.55 off 137.00, shipping 12.00: exactly 1.80
    expect(proportionOf(eur(1200n), { part: eur(2055n), whole: eur(13700n) })).toEqual(eur(180n));
  });

  it('rounds ties with the mode: 0.05 × 1 / 2 = 0.025', () => {
    expect(proportionOf(eur(5n), { part: eur(1n), whole: eur(2n), mode: 'HalfEven' })).toEqual(eur(2n));
    expect(proportionOf(eur(5n), { part: eur(1n), whole: eur(2n), mode: 'HalfUp' })).toEqual(eur(3n));
    expect(proportionOf(eur(5n), { part: eur(1n), whole: eur(2n), mode: 'HalfDown' })).toEqual(eur(2n));
  });

  it('aligns the precision of part and whole, and keeps the amount’s own', () => {
    // 12.00 × 0.0025 (4 digits) / 0.01 (2 digits) = 3.00
    expect(proportionOf(eur(1200n), { part: eur(25n, 4), whole: eur(1n) })).toEqual(eur(300n));
    const yen = (minorUnits: bigint): Amount => ({ currency: 'JPY', minorUnits, fractionDigits: 0 });
    expect(proportionOf(yen(660n), { part: yen(1n), whole: yen(3n) })).toEqual(yen(220n));
    expect(() => proportionOf(yen(660n), { part: eur(1n), whole: eur(3n) })).toThrow(/different currencies/);
  });

  it('refuses a whole that is not positive', () => {
    expect(() => proportionOf(eur(100n), { part: eur(1n), whole: eur(0n) })).toThrow(RangeError);
    expect(() => proportionOf(eur(100n), { part: eur(1n), whole: eur(-5n) })).toThrow(RangeError);
  });
});

describe('exactFraction', () => {
  it('is amount × part ÷ whole when that is whole minor units, and undefined otherwise', () => {
    expect(exactFraction(eur(17618n), 1, 2)).toEqual(eur(8809n)); // one of two sneakers
    expect(exactFraction(eur(4262n), 3, 3)).toEqual(eur(4262n));
    expect(exactFraction(eur(4262n), 1, 3)).toBeUndefined(); // 1420.67 cents
    expect(exactFraction(eur(-300n), 1, 3)).toEqual(eur(-100n));
  });

  it('refuses a whole that is not a positive whole number', () => {
    expect(() => exactFraction(eur(100n), 1, 0)).toThrow(RangeError);
    expect(() => exactFraction(eur(100n), 1.5, 3)).toThrow(RangeError);
  });
});

describe('perUnit', () => {
  it('is exact when the division comes out: 20.00 over 2 units is 10.00, 12.00 over 4 is 3.00', () => {
    expect(toUnits(perUnit(eur(2000n), 2))).toBe(10);
    expect(toUnits(perUnit(eur(1200n), 4))).toBe(3);
    expect(toUnits(perUnit(eur(1n), 2))).toBe(0.005); // one more digit than cents
  });

  it('adds as many digits as the quantity has, and rounds beyond them', () => {
    // 10.00 / 3 = 3.333… → 3.333: × 3 = 9.999, within half a cent of 10.00
    expect(perUnit(eur(1000n), 3)).toEqual(eur(3333n, 3));
    // 1.00 / 12 = 0.083333… → 0.0833 (two more digits); × 12 = 0.9996
    expect(perUnit(eur(100n), 12)).toEqual(eur(833n, 4));
    // 0.02 / 3 = 0.00666… → 0.007
    expect(perUnit(eur(2n), 3)).toEqual(eur(7n, 3));
    expect(perUnit({ currency: 'JPY', minorUnits: 100n, fractionDigits: 0 }, 3)).toEqual({
      currency: 'JPY',
      minorUnits: 333n,
      fractionDigits: 1,
    });
  });

  it('starts from the total’s own precision and rounds a tie with the mode', () => {
    expect(perUnit(eur(5n), 10)).toEqual(eur(50n, 4)); // 0.05 / 10 = 0.0050 at 2 + 2 digits
    expect(perUnit(eur(25n, 3), 2)).toEqual(eur(125n, 4)); // 0.025 / 2 = 0.0125 at 3 + 1 digits
    // 0.05 / 4 = 0.0125 has one digit more than 2 + 1: a tie
    expect(perUnit(eur(5n), 4, 'HalfEven')).toEqual(eur(12n, 3));
    expect(perUnit(eur(5n), 4, 'HalfUp')).toEqual(eur(13n, 3));
    expect(perUnit(eur(5n), 4, 'HalfDown')).toEqual(eur(12n, 3));
  });

  it('refuses quantities that are not positive whole numbers', () => {
    expect(() => perUnit(eur(100n), 0)).toThrow(RangeError);
    expect(() => perUnit(eur(100n), 1.5)).toThrow(RangeError);
  });
});

describe('comparing', () => {
  it('compares across precisions and keeps each amount as given', () => {
    expect(compareAmounts(eur(1234n), eur(123400n, 4))).toBe(0);
    expect(compareAmounts(eur(1234n), eur(123401n, 4))).toBe(-1);
    expect(compareAmounts(eur(-1n), eur(0n))).toBe(-1);
    expect(minAmount(eur(500n), eur(49999n, 4))).toEqual(eur(49999n, 4));
    expect(maxAmount(eur(500n), eur(49999n, 4))).toEqual(eur(500n));
    expect(() => compareAmounts(eur(1n), { currency: 'USD', minorUnits: 1n, fractionDigits: 2 })).toThrow(RangeError);
  });

  it('negates and tells negative amounts', () => {
    expect(negate(eur(-500n))).toEqual(eur(500n));
    expect(isNegative(eur(-1n))).toBe(true);
    expect(isNegative(eur(0n))).toBe(false);
  });
});

describe('roundToDigits', () => {
  it('rounds 2.4750 to cents by mode', () => {
    expect(roundToDigits(eur(24750n, 4), 2, 'HalfEven')).toEqual(eur(248n));
    expect(roundToDigits(eur(24750n, 4), 2, 'HalfUp')).toEqual(eur(248n));
    expect(roundToDigits(eur(24750n, 4), 2, 'HalfDown')).toEqual(eur(247n));
    // Float rounding of the same value gives 2.47: 2.4749999999999996 * 100 is below the tie.
    expect(Math.round(2.4749999999999996 * 100)).toBe(247);
  });

  it('rounds 2.4850 down under HalfEven (8 is even) and negative ties symmetrically', () => {
    expect(roundToDigits(eur(24850n, 4), 2, 'HalfEven')).toEqual(eur(248n));
    expect(roundToDigits(eur(-24750n, 4), 2, 'HalfEven')).toEqual(eur(-248n));
    expect(roundToDigits(eur(-24750n, 4), 2, 'HalfDown')).toEqual(eur(-247n));
  });

  it('rounds non-ties to the nearest value and adds digits exactly', () => {
    expect(roundToDigits(eur(1180n * 450n, 4), 2)).toEqual(eur(5310n)); // 53.1000 → 53.10
    expect(roundToDigits(eur(238095n, 4), 2)).toEqual(eur(2381n)); // 23.8095 → 23.81
    expect(roundToDigits(eur(238049n, 4), 2)).toEqual(eur(2380n)); // 23.8049 → 23.80
    expect(roundToDigits(eur(1234n), 4)).toEqual(eur(123400n, 4));
  });
});

describe('roundingModeOf', () => {
  it('defaults to HalfEven, accepts the three commercetools modes and rejects others', () => {
    expect(roundingModeOf(undefined)).toBe('HalfEven');
    expect(roundingModeOf('HalfUp')).toBe('HalfUp');
    expect(roundingModeOf('HalfDown')).toBe('HalfDown');
    expect(() => roundingModeOf('Ceiling')).toThrow(/Unsupported rounding mode: Ceiling/);
  });
});
