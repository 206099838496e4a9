// The example's data: invoices kept as JSON znodes under /billing/invoices, and payments as
// sequential nodes under /billing/payments/<invoice>. Every invoice write carries the fencing
// token of the lock it was made under; the store refuses a token older than the one already
// recorded on the invoice (compare, then a version-checked setData), so a holder that lost its
// lock without noticing cannot overwrite a newer holder's work.

import { BadVersionError, CreateMode, NoNodeError, type ZooKeeperFramework } from '../../framework/index.js';

export interface Invoice {
  readonly id: string;
  readonly amountCents: number;
  readonly lateFeeCents: number;
  readonly status: 'open' | 'paid';
  /** The fencing token of the last write, as a decimal string (JSON has no bigint). */
  readonly fence: string;
}

/** A write carried an older fencing token than the invoice already has. */
export class StaleFencingTokenError extends Error {
  override name = 'StaleFencingTokenError';
  constructor(
    readonly invoiceId: string,
    readonly token: bigint,
    readonly recorded: bigint,
  ) {
    super(`invoice ${invoiceId}: write with fencing token ${token} refused, ${recorded} was already recorded`);
  }
}

export class InvoiceStore {
  constructor(
    private readonly zk: ZooKeeperFramework,
    readonly root = '/billing',
  ) {}

  private invoicePath(id: string): string {
    return `${this.root}/invoices/${id}`;
  }

  async create(id: string, amountCents: number): Promise<Invoice> {
    const invoice: Invoice = { id, amountCents, lateFeeCents: 0, status: 'open', fence: '0' };
    await this.zk.create(this.invoicePath(id), JSON.stringify(invoice), { creatingParentsIfNeeded: true });
    return invoice;
  }

  async get(id: string): Promise<Invoice> {
    const { data } = await this.zk.getData(this.invoicePath(id));
    return JSON.parse(data!.toString('utf8')) as Invoice;
  }

  async ids(): Promise<string[]> {
    try {
      return (await this.zk.getChildren(`${this.root}/invoices`)).sort();
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }

  /** Writes `changes` to the invoice under `token`; refuses a token older than the recorded one. */
  async update(id: string, token: bigint, changes: Partial<Omit<Invoice, 'id' | 'fence'>>): Promise<Invoice> {
    for (;;) {
      const { data, stat } = await this.zk.getData(this.invoicePath(id));
      const current = JSON.parse(data!.toString('utf8')) as Invoice;
      const recorded = BigInt(current.fence);
      if (token < recorded) throw new StaleFencingTokenError(id, token, recorded);
      const next: Invoice = { ...current, ...changes, fence: token.toString() };
      try {
        await this.zk.setData(this.invoicePath(id), JSON.stringify(next), { version: stat.version });
        return next;
      } catch (e) {
        if (!(e instanceof BadVersionError)) throw e; // someone wrote in between: check their token again
      }
    }
  }

  /** Records a payment (one sequential node per charge, so double charges would show). */
  async recordPayment(id: string, cents: number, token: bigint): Promise<void> {
    const parent = `${this.root}/payments/${id}`;
    await this.zk.create(`${parent}/payment-`, JSON.stringify({ cents, fence: token.toString() }), {
      creatingParentsIfNeeded: true,
      mode: CreateMode.PERSISTENT_SEQUENTIAL,
    });
  }

  async payments(id: string): Promise<Array<{ cents: number; fence: string }>> {
    const parent = `${this.root}/payments/${id}`;
    const names = await this.zk.getChildren(parent).catch((e: unknown) => {
      if (e instanceof NoNodeError) return [] as string[];
      throw e;
    });
    const out: Array<{ cents: number; fence: string }> = [];
    for (const name of names.sort()) out.push(JSON.parse((await this.zk.getData(`${parent}/${name}`)).data!.toString('utf8')) as { cents: number; fence: string });
    return out;
  }
}
