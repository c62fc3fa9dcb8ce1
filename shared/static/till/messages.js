// The API's coded refusals in the words a cashier needs. The server's own sentence follows where it
// carries the specifics (which lines are short, what the limit is); unknown codes show it alone.
const ADVICE = {
  INSUFFICIENT_STOCK: "Lower the quantity or remove the line.",
  PAYMENT_SHORT: "Take more money, or attach a customer and put the rest on account.",
  CREDIT_LIMIT_EXCEEDED: "Take more money now, or ask a manager to raise the customer's limit.",
  CUSTOMER_BLOCKED: "This customer may only pay now.",
  PRICE_OVERRIDE_NOT_ALLOWED: "Only a manager can change a price.",
  BALANCE_MISMATCH: "The amounts changed; check the payment and try again.",
  IDEMPOTENCY_KEY_REUSED: "This sale was already sent with other amounts; start a new sale.",
  NO_OPEN_SHIFT: "Open a shift first.",
  INVALID_CREDENTIALS: "Check the username and password.",
  TOO_MANY_ATTEMPTS: "Wait a moment before trying again.",
  BUSY_TRY_AGAIN: "The server is busy; try again.",
};

export function explain(code, message) {
  const advice = ADVICE[code];
  return advice ? `${message} ${advice}` : message;
}
