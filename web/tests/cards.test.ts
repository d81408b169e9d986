import { describe, expect, it } from "vitest";
import { installmentMonths, takesInstallments } from "../src/components/InstallmentField";
import { en } from "../src/i18n/en";
import { ko } from "../src/i18n/ko";
import type { Account } from "../src/ledger";

const account = (id: number, type: Account["type"]): Account => ({
  id,
  name: `A${id}`,
  type,
  opening_balance: 0,
  balance: 0,
  archived: false,
  created_at: "2026-12-01T00:00:00Z",
  billing: type === "credit_card" ? { payment_day: 14, usage_start_day: 1, usage_month_offset: 1 } : null,
});

describe("installments in the entry form", () => {
  const accounts = [account(1, "bank"), account(2, "credit_card"), account(3, "debit_card")];

  it("are offered only for an expense on a credit card", () => {
    expect(takesInstallments("expense", "2", accounts)).toBe(true);
    expect(takesInstallments("income", "2", accounts)).toBe(false);
    expect(takesInstallments("transfer", "2", accounts)).toBe(false);
    expect(takesInstallments("expense", "1", accounts)).toBe(false);
    expect(takesInstallments("expense", "3", accounts)).toBe(false);
    expect(takesInstallments("expense", "", accounts)).toBe(false);
  });

  it("send the months when shown and chosen, else null (paid at once)", () => {
    expect(installmentMonths(true, "3")).toBe(3);
    expect(installmentMonths(true, "")).toBeNull();
    expect(installmentMonths(false, "3")).toBeNull();
  });
});

describe("the billing cycle in words", () => {
  it("says the common shapes in both languages", () => {
    expect(en.cardCycle(1, 1, 14)).toBe("Paid on day 14 for usage from the 1st of the previous month to its end.");
    expect(ko.cardCycle(1, 1, 14)).toBe("전월 1일부터 전월 말일까지 이용한 금액을 14일에 결제합니다.");
    expect(en.cardCycle(13, 1, 25)).toBe("Paid on day 25 for usage from day 13 of the previous month to day 12 of the month after.");
    expect(ko.cardCycle(13, 1, 25)).toBe("전월 13일부터 당월 12일까지 이용한 금액을 25일에 결제합니다.");
    expect(ko.cardCycle(18, 2, 1)).toBe("전전월 18일부터 전월 17일까지 이용한 금액을 1일에 결제합니다.");
  });
});
