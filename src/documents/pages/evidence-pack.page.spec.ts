import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { Role } from '../../common/access/role.enum';
import type { EvidencePackResponse } from '../evidence/evidence-pack.dto';
import type { EvidencePacksService } from '../evidence/evidence-packs.service';
import { EvidencePackPage } from './evidence-pack.page';

/**
 * The banner after "Build the evidence pack" says whether this request started a build. A fast worker
 * can take a new build (running, progress > 0) before the page reads it back; that must still read as
 * "being built", not "already under way" (seen in CI under load).
 */
describe('EvidencePackPage.build banner', () => {
  const user = { id: 'u', email: 'hr@example.org', role: Role.HrOfficer } as AuthUser;
  const running = { id: 'p', status: 'running', progress: 20 } as EvidencePackResponse;

  async function bannerAfterBuild(created: boolean): Promise<{ text: string; location: string }> {
    const session = new Map<string, unknown>();
    const req = { session: { get: (k: string) => session.get(k), set: (k: string, v: unknown) => session.set(k, v) } } as unknown as FastifyRequest;
    let location = '';
    const reply = { redirect: async (to: string) => void (location = to) } as unknown as FastifyReply;
    const packs = { request: jest.fn().mockResolvedValue({ pack: running, created }) } as unknown as EvidencePacksService;
    await new EvidencePackPage(packs).build(req, reply, user, 'c1');
    const [flash] = session.get('flash') as { text: string }[];
    return { text: flash.text, location };
  }

  it('a build this request made reads as being built, even when the worker has already started it', async () => {
    const { text, location } = await bannerAfterBuild(true);
    expect(text).toContain('The evidence pack is being built');
    expect(location).toBe('/consultations/c1/evidence-pack');
  });

  it('a build found under way reads as already under way', async () => {
    expect((await bannerAfterBuild(false)).text).toContain('already under way');
  });
});
