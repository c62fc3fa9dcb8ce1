"""Owner's reports, one module per report family. Every figure is aggregated in the database and
quantized before it leaves here. Import from the module that holds the report:

- counting: what counts (sales, approved returns in a period) and the money sums every report uses;
- period_figures: sale totals, cost of goods, refunds, gross profit (shared by the two below);
- sales_figures: salesStats and salesByPaymentMethod;
- profit: profitAndLoss;
- revenue_periods: revenueByPeriod;
- sales_breakdowns: sales by cashier and by category;
- product_performance: topProducts;
- stock: dead stock and inventory valuation;
- customer_debt: outstandingDebt.

Definitions (also in the GraphQL descriptions):
- A sale counts when it is not voided and its `created_at` falls in [dateFrom, dateTo], both days
  inclusive in the shop's TIME_ZONE.
- Refunds count on the day the return was approved (`decided_at`), not the day of the sale.
- Revenue is sale totals (tax included). Net sales = revenue − refunds.
- Cost of goods sold uses the unit cost recorded on each sale line at sale time.
- Gross profit = (revenue − tax) − cost of goods sold − (refunds − their tax − cost of restocked goods).

Where a report's filters are expressible on the daily summary rows (day, location, sale type,
product, tender) it reads them (`source=SUMMARIES`, the default; reports/summary_reads.py): they are
kept in the same transaction as every sale, void and return, so any span is answered from them.
`source=DETAIL` reads the sales themselves (the oracle the tests compare the summaries with).
"""
