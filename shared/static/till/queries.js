// Every operation the till sends; only public, documented fields (docs/TILL.md).
const PRODUCT = "id sku name retailPrice quantityDecimals isActive";

export const PRODUCT_BY_CODE = `query Scan($code: String!) { productByCode(code: $code) { ${PRODUCT} } }`;

export const PRODUCTS = `query FindProducts($search: String!) {
  products(search: $search, isActive: true, first: 8) { edges { node { ${PRODUCT} } } }
}`;

export const CUSTOMERS = `query FindCustomers($search: String!) {
  customers(search: $search, first: 8) {
    edges { node { id name phone status balance availableCredit creditHeld } }
  }
}`;

const QUOTE = `subtotal discountTotal taxTotal total amountPaid change amountOnAccount creditApplied amountDue
  lines { productId quantity unitPrice total }
  shortages { productId requested available }`;

export const PRICE_SALE = `query Price($input: SaleInput!) {
  priceSale(input: $input) { success message errors { field code message } quote { ${QUOTE} } }
}`;

export const CREATE_SALE = `mutation Sell($input: SaleInput!) {
  createSale(input: $input) {
    success message replayed
    errors { field code message }
    sale { id transactionId total amountPaid change amountOnAccount customerBalance }
  }
}`;

export const RECEIPT = `query Receipt($transactionId: String!) { receipt(transactionId: $transactionId, format: HTML) }`;
