// The example service: billing on zabkit's app layer. One class shows each decorator:
// - settle(invoiceId) runs under a per-invoice lock (@WithLock), and writes with the lock's
//   fencing token so a stale holder cannot overwrite a newer one;
// - late fees are charged by a leader-only job: while this instance leads /billing/leader,
//   onLeadershipGained runs it every `intervalMs` until the term ends (@LeadershipHooks), and
//   chargeLateFees() can also be called by hand, refused on followers (@LeaderOnly);
// - the late-fee percentage comes from the /billing/config znode (@InjectConfig), validated,
//   with a default, the last good value kept when someone writes a bad one.

import 'reflect-metadata';
import type { Observable, Subscription } from 'rxjs';
import { inject, injectable } from 'tsyringe';
import { ZooKeeperFramework } from '../../framework/index.js';
import {
  currentLeadership, currentLock, InjectConfig, LeaderOnly, LeadershipHooks, WithLock, type LeadershipContext,
} from '../../app/index.js';
import { InvoiceStore } from './invoice-store.js';

export interface BillingConfig {
  /** Added to an open invoice once, by the late-fee job. */
  readonly lateFeePercent: number;
}

export function validateBillingConfig(value: unknown): BillingConfig {
  const percent = (value as { lateFeePercent?: unknown } | null)?.lateFeePercent;
  if (typeof percent !== 'number' || !(percent >= 0 && percent <= 50)) throw new RangeError('lateFeePercent must be a number from 0 to 50');
  return { lateFeePercent: percent };
}

/** How often the leader runs the late-fee job (registered by startBilling). */
export const LATE_FEE_INTERVAL_MS = Symbol('billing.LateFeeIntervalMs');

export type SettleResult = { readonly status: 'settled'; readonly cents: number; readonly fencingToken: bigint } | { readonly status: 'already-paid' };

@injectable()
@LeadershipHooks('/billing/leader')
export class BillingService {
  readonly store: InvoiceStore;
  /** The late-fee job's runs on this instance (for the example's test and for metrics). */
  lateFeeRuns = 0;
  private config: BillingConfig = { lateFeePercent: 0 };
  private readonly subscription: Subscription;

  constructor(
    zk: ZooKeeperFramework,
    @InjectConfig('/billing/config', { validate: validateBillingConfig, default: { lateFeePercent: 0 } }) config$: Observable<BillingConfig>,
    @inject(LATE_FEE_INTERVAL_MS) private readonly intervalMs: number,
  ) {
    this.store = new InvoiceStore(zk);
    this.subscription = config$.subscribe((config) => (this.config = config));
  }

  get lateFeePercent(): number {
    return this.config.lateFeePercent;
  }

  createInvoice(id: string, amountCents: number): Promise<unknown> {
    return this.store.create(id, amountCents);
  }

  /** Charges the invoice once, whichever instance is asked, however many times. */
  @WithLock((invoiceId: string) => `invoice-${invoiceId}`, { timeoutMs: 10_000 })
  async settle(invoiceId: string): Promise<SettleResult> {
    const { fencingToken } = currentLock();
    const invoice = await this.store.get(invoiceId);
    if (invoice.status === 'paid') return { status: 'already-paid' };
    const cents = invoice.amountCents + invoice.lateFeeCents;
    await this.store.recordPayment(invoiceId, cents, fencingToken!);
    await this.store.update(invoiceId, fencingToken!, { status: 'paid' });
    return { status: 'settled', cents, fencingToken: fencingToken! };
  }

  /** One pass of the late-fee job: a fee on every open invoice that has none yet. Leader only. */
  @LeaderOnly('/billing/leader')
  async chargeLateFees(): Promise<number> {
    const { signal } = currentLeadership();
    let charged = 0;
    for (const id of await this.store.ids()) {
      if (signal.aborted) break; // leadership ended: leave the rest to the next leader
      if (await this.applyLateFee(id)) charged++;
    }
    this.lateFeeRuns++;
    return charged;
  }

  @WithLock((invoiceId: string) => `invoice-${invoiceId}`, { timeoutMs: 10_000 })
  private async applyLateFee(invoiceId: string): Promise<boolean> {
    const invoice = await this.store.get(invoiceId);
    if (invoice.status !== 'open' || invoice.lateFeeCents > 0 || this.config.lateFeePercent === 0) return false;
    const fee = Math.round((invoice.amountCents * this.config.lateFeePercent) / 100);
    await this.store.update(invoiceId, currentLock().fencingToken!, { lateFeeCents: fee });
    return true;
  }

  /** The leader's loop: runs the job every intervalMs for as long as the term lasts. */
  async onLeadershipGained(signal: AbortSignal, _term: LeadershipContext): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.chargeLateFees();
      } catch (error) {
        if (!signal.aborted) process.emitWarning(`late-fee job failed: ${String(error)}`);
      }
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve(); // the term may have ended while the job ran
        const timer = setTimeout(resolve, this.intervalMs);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }

  onLeadershipLost(): void {
    // Nothing to undo: the loop above has stopped with the signal.
  }

  /** Called by the container's dispose() after the instance has left the election. */
  dispose(): void {
    this.subscription.unsubscribe();
  }
}
