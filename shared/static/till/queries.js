// Every operation the till sends; only public, documented fields (docs/TILL.md).
const PRODUCT = "id sku name retailPrice quantityDecimals isActive";
const CUSTOMER = "id name phone status balance availableCredit creditHeld";
const ERRORS = "success message errors { field code message }";

export const PRODUCT_BY_CODE = `query Scan($code: String!) { productByCode(code: $code) { ${PRODUCT} } }`;

export const PRODUCTS = `query FindProducts($search: String!) {
  products(search: $search, isActive: true, first: 8) { edges { node { ${PRODUCT} } } }
}`;

export const CUSTOMERS = `query FindCustomers($search: String!) {
  customers(search: $search, first: 8) { edges { node { ${CUSTOMER} } } }
}`;

export const CREATE_CUSTOMER = `mutation NewCustomer($input: CreateCustomerInput!) {
  createCustomer(input: $input) { ${ERRORS} customer { ${CUSTOMER} } }
}`;

const QUOTE = `subtotal discountTotal taxTotal total amountPaid change amountOnAccount creditApplied amountDue
  lines { productId quantity unitPrice discount total }
  shortages { productId requested available }`;

export const PRICE_SALE = `query Price($input: SaleInput!) {
  priceSale(input: $input) { ${ERRORS} quote { ${QUOTE} } }
}`;

export const CREATE_SALE = `mutation Sell($input: SaleInput!) {
  createSale(input: $input) {
    ${ERRORS} replayed
    sale { id transactionId total amountPaid change amountOnAccount customerBalance }
  }
}`;

export const RECEIPT = `query Receipt($transactionId: String!) { receipt(transactionId: $transactionId, format: HTML) }`;

// --- shifts (docs/tills.md) -------------------------------------------------------------------------
const SHIFT = "id status openedAt openingFloat register { id name location { id name } }";

export const TILL_STATE = `query TillState {
  currentShift { ${SHIFT} }
  registers(first: 100) { edges { node { id name location { id name } } } }
}`;

export const OPEN_SHIFT = `mutation OpenShift($input: OpenShiftInput!) {
  openShift(input: $input) { ${ERRORS} shift { ${SHIFT} } }
}`;

/** The cashier's own X is blind: no expected figure comes back, so none can be shown. */
export const SHIFT_X = `query ShiftX($shiftId: ID!) {
  shiftReport(shiftId: $shiftId) { isBlind sales { count } payIns payOuts }
}`;

export const CASH_MOVEMENT = `mutation CashMovement($input: RecordCashMovementInput!) {
  recordCashMovement(input: $input) { ${ERRORS} cashMovement { kind amount reason } }
}`;

export const CLOSE_SHIFT = `mutation CloseShift($input: CloseShiftInput!) {
  closeShift(input: $input) { ${ERRORS} shift { id status zNumber countedCash variance } }
}`;

export const SHIFT_Z = `query ShiftZ($shiftId: ID!) {
  shiftReport(shiftId: $shiftId) { zNumber tenders { tender expected counted variance } }
  zReport(shiftId: $shiftId, format: HTML)
}`;

// --- returns (docs/checkout.md) ---------------------------------------------------------------------
export const RETURNABLE_SALE = `query ReturnableSale($transactionId: String!) {
  returnableSale(transactionId: $transactionId) {
    sale { id transactionId status createdAt total customer { name } }
    lines { sold returned pending returnable saleItem { id total product { name sku quantityDecimals } } }
  }
}`;

export const CREATE_RETURN = `mutation RequestReturn($input: CreateReturnInput!) {
  createReturn(input: $input) { ${ERRORS} return { returnNumber status refundTotal } }
}`;

// --- offline mode (docs/OFFLINE.md): device, catalogue cache, sale sync --------------------------
export const CURRENT_DEVICE = `query CurrentDevice { currentDevice { id name saleLocationId register { name } } }`;

export const CATALOGUE_CHANGES = `query CatalogueChanges($since: String) {
  catalogueChanges(since: $since, first: 100) {
    nextCursor hasMore isFullSync pricesIncludeTax catalogueVersion
    products { id sku barcode name unit retailPrice taxRate quantityDecimals isActive }
    stockLevels { id productId locationId quantity }
    batches { id productId locationId batchNumber expiryDate quantity }
    customers { id name phone type status creditLimit balance allowedOnAccount isArchived }
    deletedProductIds deletedStockLevelIds deletedBatchIds deletedCustomerIds
  }
}`;

export const SYNC_SALES = `mutation SyncSales($input: SyncSalesInput!) {
  syncSales(input: $input) {
    ${ERRORS} highWaterMark highestSequence gaps
    results { clientId deviceSequence outcome errors { field code message }
              sale { transactionId deviceReceiptNumber total } exceptions { kind message } }
  }
}`;
