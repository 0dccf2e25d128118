import { Body, Controller, Get, HttpStatus, NotFoundException, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { fieldError, formFields, readForm } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage } from '../../web/page-context';
import { DecideScopeProposalDto, ScopeProposalResponse } from '../dto/scope-proposal.dto';
import { UUID_RE } from '../establishment-errors';
import { ScopeProposalStatus } from '../establishment.constants';
import { ScopeProposalsService } from '../scope-proposals.service';
import { UuidParam } from '../../common/http/uuid-param';
import { SCOPE_LABELS } from './scope-labels';

const DECIDE_LABELS = { decision: 'Decision', reason: 'Reason' };
const STAFF = [Role.Admin, Role.HrOfficer];

type Decision = 'accept' | 'reject';

/** A checkbox's value in the queue: the proposal and the version the HR officer saw. */
function parseSelection(v: string | string[] | undefined): { id: string; version: number }[] {
  const out: { id: string; version: number }[] = [];
  for (const s of [v ?? []].flat()) {
    const [id, version] = s.split(':');
    const n = Number(version);
    if (UUID_RE.test(id ?? '') && Number.isInteger(n) && n > 0 && !out.some((o) => o.id === id)) out.push({ id, version: n });
  }
  return out;
}

function decisionWords(d: Decision, n: number): string {
  return `${n} ${n === 1 ? 'proposal' : 'proposals'} ${d === 'accept' ? 'accepted' : 'rejected'}`;
}

/**
 * Scope proposals: the HR decision queue (one at a time, or in bulk with a "check your answers"
 * step), and a manager's own proposals.
 */
@ApiExcludeController()
@Controller()
export class ScopeProposalPages {
  constructor(private readonly proposals: ScopeProposalsService) {}

  @Get('scope-proposals')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    if (user.role === Role.Manager) {
      const all = await this.proposals.list(user, {});
      const mine = all.filter((p) => p.proposedBy.id === user.id);
      return renderPage(req, reply, 'establishment/views/your-proposals.njk', { pageTitle: 'Your proposals', proposals: mine });
    }
    await this.renderQueue(req, reply, user, {});
  }

  /** Bulk, step 1: the selected proposals, the decision and the reason, checked before anything changes. */
  @Post('scope-proposals/check')
  @Roles(...STAFF)
  async check(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    const selection = parseSelection(fields.proposal);
    const values = { decision: fields.decision as string | undefined, reason: typeof fields.reason === 'string' ? fields.reason : undefined, selected: selection.map((s) => s.id) };
    const errors = await this.checkBulk(selection, values.decision, values.reason);
    if (errors) return this.renderQueue(req, reply, user, values, errors);
    await this.renderCheck(req, reply, user, selection, values.decision as Decision, values.reason!);
  }

  /** Bulk, back from "check your answers" to the queue, with the choices kept. */
  @Post('scope-proposals/change')
  @Roles(...STAFF)
  async change(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    const selection = parseSelection(fields.proposal);
    await this.renderQueue(req, reply, user, { decision: fields.decision as string | undefined, reason: fields.reason as string | undefined, selected: selection.map((s) => s.id) });
  }

  /** Bulk, step 2: decide them all, or none if any was decided or changed meanwhile. */
  @Post('scope-proposals/confirm')
  @Roles(...STAFF)
  async confirm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    const selection = parseSelection(fields.proposal);
    const decision = fields.decision as string | undefined;
    const reason = typeof fields.reason === 'string' ? fields.reason : undefined;
    const errors = await this.checkBulk(selection, decision, reason);
    if (errors) return this.renderQueue(req, reply, user, { decision, reason, selected: selection.map((s) => s.id) }, errors);
    let decided: ScopeProposalResponse[];
    try {
      decided = await this.proposals.decideAll(user, selection, decision as Decision, reason!);
    } catch (err) {
      const e = formErrors(err, DECIDE_LABELS);
      // Someone else decided (or changed) one of them: nothing was saved. Show the check page again
      // with the current state of each, so the rest can be confirmed.
      return this.renderCheck(req, reply, user, selection, decision as Decision, reason!, {
        ...e,
        errorList: [{ text: 'Someone else decided one of these proposals while you were working: nothing was saved. Check the list and confirm again.', href: '#proposals' }],
        stale: true,
      });
    }
    const params = new URLSearchParams({ decision: decision!, n: String(decided.length) });
    if (decided.length <= 50) for (const d of decided) params.append('id', d.id);
    await redirectTo(req, reply, `/scope-proposals/decided?${params.toString()}`);
  }

  /** Bulk, done: the confirmation panel, and what each proposal's post is now. */
  @Get('scope-proposals/decided')
  @Roles(...STAFF)
  async decided(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @Query() q: Record<string, unknown>): Promise<void> {
    const ids = [q?.id ?? []].flat().filter((x): x is string => typeof x === 'string' && UUID_RE.test(x)).slice(0, 50);
    const decision: Decision = q?.decision === 'reject' ? 'reject' : 'accept';
    const n = Math.max(0, Math.min(1000, Number(q?.n) || ids.length));
    const items: ScopeProposalResponse[] = [];
    for (const id of ids) {
      try {
        items.push(await this.proposals.get(user, id));
      } catch {
        // gone or not visible: leave it out
      }
    }
    await renderPage(req, reply, 'establishment/views/proposals-decided.njk', { pageTitle: decisionWords(decision, n), title: decisionWords(decision, n), decision, items });
  }

  @Get('scope-proposals/:id')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const proposal = await this.proposals.get(user, id);
    await this.renderProposal(req, reply, user, proposal, {});
  }

  @Post('scope-proposals/:id/decision')
  @Roles(...STAFF)
  async decide(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    const values = { decision: fields.decision as string | undefined, reason: typeof fields.reason === 'string' ? fields.reason : undefined };
    const proposal = await this.proposals.get(user, id);
    const again = (errors: FormErrors, p = proposal) => this.renderProposal(req, reply, user, p, values, errors);
    if (values.decision !== 'accept' && values.decision !== 'reject') return again(fieldError('decision', 'Select whether to accept or reject the proposal'));
    if (!values.reason) return again(fieldError('reason', 'Enter the reason for your decision'));
    const form = await readForm(DecideScopeProposalDto, { ...values, version: Number(fields.version) }, DECIDE_LABELS);
    if (form.errors) {
      if (form.errors.fields.version) return again(this.staleErrors(proposal));
      return again(form.errors);
    }
    let decided: ScopeProposalResponse;
    try {
      decided = await this.proposals.decide(user, id, form.value);
    } catch (err) {
      const e = formErrors(err, DECIDE_LABELS);
      if (e.status === HttpStatus.CONFLICT) {
        const current = await this.proposals.get(user, id);
        return again(this.staleErrors(current), current);
      }
      return again(e);
    }
    const accepted = decided.status === ScopeProposalStatus.Accepted;
    await redirectTo(req, reply, `/posts/${decided.postId}`, {
      kind: 'success',
      text: accepted
        ? `Proposal accepted: ${decided.postReference} is now ${SCOPE_LABELS[decided.proposedScope].toLowerCase()}`
        : `Proposal rejected: ${decided.postReference} stays ${SCOPE_LABELS[decided.currentScope].toLowerCase()}`,
    });
  }

  @Post('scope-proposals/:id/withdraw')
  @Roles(Role.Manager)
  async withdraw(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    const proposal = await this.proposals.get(user, id);
    try {
      await this.proposals.withdraw(user, id, Number(fields.version));
    } catch (err) {
      const e = formErrors(err, DECIDE_LABELS);
      const current = await this.proposals.get(user, id);
      return this.renderProposal(req, reply, user, current, {}, e.status === HttpStatus.CONFLICT || e.fields.version ? this.staleErrors(current) : e);
    }
    await redirectTo(req, reply, `/posts/${proposal.postId}`, { kind: 'success', text: `You withdrew your proposal for ${proposal.postReference}` });
  }

  /** "Someone else decided this proposal", with its current state (the page shows it). */
  private staleErrors(current: ScopeProposalResponse): FormErrors {
    const text =
      current.status === ScopeProposalStatus.Open
        ? 'Someone else changed this proposal while you were working on it. Check its current values and decide again.'
        : `Someone else decided this proposal: it was ${current.status}${current.decidedBy ? ` by ${current.decidedBy.displayName}` : ''}. Its current values are shown below.`;
    return { errorList: [{ text, href: current.status === ScopeProposalStatus.Open ? '#decision' : '#proposal-details' }], fields: {}, stale: true, status: HttpStatus.CONFLICT };
  }

  private async checkBulk(selection: { id: string; version: number }[], decision: string | undefined, reason: string | undefined): Promise<FormErrors | undefined> {
    const errors: FormErrors = { errorList: [], fields: {}, stale: false, status: HttpStatus.BAD_REQUEST };
    const add = (field: string, text: string, href = `#${field}`) => {
      errors.fields[field] = { text };
      errors.errorList.push({ text, href });
    };
    if (!selection.length) add('proposal', 'Select at least one proposal', '#proposals');
    if (decision !== 'accept' && decision !== 'reject') add('decision', 'Select whether to accept or reject the selected proposals');
    if (!reason) add('reason', 'Enter the reason for your decision');
    else {
      const form = await readForm(DecideScopeProposalDto, { decision: decision ?? 'accept', reason, version: 1 }, DECIDE_LABELS);
      if (form.errors?.fields.reason) add('reason', form.errors.fields.reason.text);
    }
    return errors.errorList.length ? errors : undefined;
  }

  private async renderQueue(
    req: FastifyRequest,
    reply: FastifyReply,
    user: AuthUser,
    values: { decision?: string; reason?: string; selected?: string[] },
    errors?: FormErrors,
  ): Promise<void> {
    const open = await this.proposals.list(user, { status: ScopeProposalStatus.Open });
    await renderPage(
      req,
      reply,
      'establishment/views/scope-queue.njk',
      { pageTitle: 'Scope decisions', proposals: open, values: { ...values, selected: values.selected ?? [] }, errors },
      errors ? errors.status : HttpStatus.OK,
    );
  }

  private async renderCheck(
    req: FastifyRequest,
    reply: FastifyReply,
    user: AuthUser,
    selection: { id: string; version: number }[],
    decision: Decision,
    reason: string,
    errors?: FormErrors,
  ): Promise<void> {
    const rows: { proposal: ScopeProposalResponse; changed: boolean }[] = [];
    for (const s of selection) {
      try {
        const p = await this.proposals.get(user, s.id);
        rows.push({ proposal: p, changed: p.status !== ScopeProposalStatus.Open || p.version !== s.version });
      } catch (err) {
        if (!(err instanceof NotFoundException)) throw err;
      }
    }
    // Stale rows are shown as they are now and left out of what the confirm button sends.
    const still = rows.filter((r) => r.proposal.status === ScopeProposalStatus.Open);
    await renderPage(
      req,
      reply,
      'establishment/views/scope-check.njk',
      { pageTitle: 'Check your answers before deciding', rows, still: still.map((r) => r.proposal), decision, reason, errors },
      errors ? errors.status : HttpStatus.OK,
    );
  }

  private async renderProposal(
    req: FastifyRequest,
    reply: FastifyReply,
    user: AuthUser,
    proposal: ScopeProposalResponse,
    values: { decision?: string; reason?: string },
    errors?: FormErrors,
  ): Promise<void> {
    const staff = user.role === Role.Admin || user.role === Role.HrOfficer;
    await renderPage(
      req,
      reply,
      'establishment/views/scope-proposal.njk',
      {
        pageTitle: `Scope proposal for ${proposal.postReference}`,
        proposal,
        values,
        errors,
        canDecide: staff && proposal.status === ScopeProposalStatus.Open,
        canWithdraw: user.role === Role.Manager && proposal.proposedBy.id === user.id && proposal.status === ScopeProposalStatus.Open,
      },
      errors ? errors.status : HttpStatus.OK,
    );
  }
}
