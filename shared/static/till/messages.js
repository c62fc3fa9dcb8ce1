// The API's coded refusals in the words a cashier needs. The server's own sentence follows where it
// carries the specifics (which lines are short, what the limit is); unknown codes show it alone.
const ADVICE = {
  INSUFFICIENT_STOCK: "Lower the quantity or remove the line.",
  PAYMENT_SHORT: "Take more money, or attach a customer and put the rest on account.",
  CREDIT_LIMIT_EXCEEDED: "Take more money now, or ask a manager to raise the customer's limit.",
  CUSTOMER_BLOCKED: "This customer may only pay now.",
  PRICE_OVERRIDE_NOT_ALLOWED: "Only a manager can change a price.",
  DISCOUNT_NOT_ALLOWED: "Lower the discount, or ask a manager to give this one.",
  BALANCE_MISMATCH: "The amounts changed; check the payment and try again.",
  IDEMPOTENCY_KEY_REUSED: "This sale was already sent with other amounts; start a new sale.",
  NO_OPEN_SHIFT: "This till has no open shift, so it cannot take money: press F4 (Shift) and open one with the cash float in the drawer.",
  SHIFT_ALREADY_OPEN: "Someone else's shift is open on this register: they close it first, or pick another register.",
  CASHIER_HAS_OPEN_SHIFT: "You already have a shift open on another register: close it there first.",
  REGISTER_RETIRED: "This register is no longer in use: pick another one.",
  SHIFT_CLOSED: "This shift is already closed.",
  NOT_YOUR_SHIFT: "Only the cashier of this shift can do that.",
  PAY_OUT_NEEDS_MANAGER: "Ask a manager to make this pay-out.",
  DENOMINATION_MISMATCH: "Count the drawer again.",
  RETURN_QUANTITY_EXCEEDED: "Lower the quantity to what can still be returned.",
  SALE_VOIDED: "A voided sale cannot be returned.",
  INVALID_REFUND_METHOD: "Choose another refund method.",
  DUPLICATE_CUSTOMER: "Search for the existing customer instead.",
  INVALID_CREDENTIALS: "Check the username and password.",
  TOO_MANY_ATTEMPTS: "Wait a moment before trying again.",
  BUSY_TRY_AGAIN: "The server is busy; try again.",
};

export function explain(code, message) {
  const advice = ADVICE[code];
  return advice ? `${message} ${advice}` : message;
}
