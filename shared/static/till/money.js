// The one place the till computes money: an offline estimate of a cart, used only while the server
// cannot be reached (docs/TILL.md, "What the till computes offline"). Online, every figure is
// priceSale's. The rules are sales/pricing.py's (docs/sales-pricing.md), cut down to what an offline
// sale may hold: retail price, no discount, per line
//   subtotal = q(unitPrice × quantity)
//   tax      = q(subtotal × rate / (1 + rate)) when prices include tax, else q(subtotal × rate)
//   total    = subtotal (tax included) or subtotal + tax
// and the sale's figures are sums of the rounded lines. q() rounds half up to the cent. Amounts are
// BigInt counts of cents (quantities of thousandths); no float ever holds money.

/** "12.5" -> 1250n at scale 2. Refuses anything but a plain non-negative decimal. */
export function toUnits(text, scale) {
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(String(text ?? "").trim());
  if (!match) throw new RangeError(`not an amount: ${text}`);
  const fraction = match[2] ?? "";
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) throw new RangeError(`too many decimals: ${text}`);
  return BigInt(match[1] + fraction.slice(0, scale).padEnd(scale, "0"));
}

/** A rate such as "0.0750" as an exact fraction [numerator, denominator]. */
function rateFraction(text) {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(String(text ?? "0").trim());
  if (!match) throw new RangeError(`not a rate: ${text}`);
  const fraction = match[2] ?? "";
  return [BigInt(match[1] + fraction), 10n ** BigInt(fraction.length)];
}

/** numerator / denominator rounded half up (both non-negative): shared/money.py's q(). */
function roundHalfUp(numerator, denominator) {
  return (2n * numerator + denominator) / (2n * denominator);
}

export function formatCents(cents) {
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

/** A quantity in thousandths as the API writes quantities: 61000n -> "61", 1500n -> "1.5". */
export function formatThousandths(units) {
  const whole = units / 1000n;
  const fraction = String(units % 1000n).padStart(3, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/**
 * Price lines [{unitPrice, quantity, taxRate}] (strings as the catalogue sends them). Returns the
 * shape of priceSale's quote (strings) plus `totalCents`; throws RangeError for a line worth 0.00.
 */
export function priceCart(lines, pricesIncludeTax) {
  let subtotal = 0n;
  let tax = 0n;
  let total = 0n;
  const priced = lines.map((line) => {
    const price = toUnits(line.unitPrice, 2);
    const lineSubtotal = roundHalfUp(price * toUnits(line.quantity, 3), 1000n);
    if (lineSubtotal === 0n && price > 0n) throw new RangeError("A quantity this small is worth nothing.");
    const [rate, scale] = rateFraction(line.taxRate);
    const lineTax = pricesIncludeTax
      ? roundHalfUp(lineSubtotal * rate, scale + rate)
      : roundHalfUp(lineSubtotal * rate, scale);
    const lineTotal = pricesIncludeTax ? lineSubtotal : lineSubtotal + lineTax;
    subtotal += lineSubtotal;
    tax += lineTax;
    total += lineTotal;
    return { unitPrice: formatCents(price), subtotal: formatCents(lineSubtotal), tax: formatCents(lineTax), total: formatCents(lineTotal) };
  });
  return {
    lines: priced,
    subtotal: formatCents(subtotal),
    discountTotal: "0.00",
    taxTotal: formatCents(tax),
    total: formatCents(total),
    totalCents: total,
  };
}

/**
 * Cash and card against a total, as sales/tender.py settles them: money received now, change only
 * from cash. Card above the total would be credit on an account, which the till does not do offline.
 */
export function settle(totalCents, cashText, cardText) {
  const cash = cashText ? toUnits(cashText, 2) : 0n;
  const card = cardText ? toUnits(cardText, 2) : 0n;
  const paid = cash + card;
  const due = paid < totalCents ? totalCents - paid : 0n;
  const change = paid > totalCents ? paid - totalCents : 0n;
  let refusal = null;
  if (card > totalCents) refusal = "Card cannot be more than the total while offline.";
  else if (due > 0n) refusal = "Take the rest: offline the till takes cash and card only.";
  return {
    amountPaid: formatCents(paid),
    amountDue: formatCents(due),
    change: formatCents(change),
    refusal,
  };
}
