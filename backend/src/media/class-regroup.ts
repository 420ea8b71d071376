import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import type { MediaHostReport } from './domain/host-placement';
import { decideRegroup, RegroupDecision } from './domain/host-regroup';
import type { MediaService } from './media.service';

/** What a moved person's browser is told (it rejoins, and its join is placed on the class's main host). */
export const REGROUP_REASON = 'The class is gathering onto one media server; reconnecting';

export interface ClassRegroupDeps {
  /** This host's instance id. */
  self: string;
  config: AppConfig;
  media: MediaService;
  /** Every media host's last report. */
  hosts(): Promise<MediaHostReport[]>;
  /** The class's owner key. */
  ownerOf(sessionId: string): Promise<string | null>;
  /** Takes the class's owner key for this host when it is free (the class's main host went away). */
  claim(sessionId: string): Promise<void>;
}

/**
 * Runs the regroup decision (domain/host-regroup.ts) on this host's beat for every class it hosts part
 * of. Each host of a spread class looks at the same Redis facts (the owner key, where each peer is, every
 * host's report, since when the class fits, its last join); the one that is to move sends its own people
 * to the main host (`MediaService.moveAway`: off the peer list, then a rejoin notice), and its part of the
 * class closes, links included. No host moves another's people, so a host that is slow or gone moves
 * nobody. The main host, when the owner key is free (its owner went away), takes it, so that the
 * class's next joins are placed there rather than on a new host.
 */
export class ClassRegroup {
  private readonly logger = new Logger('ClassRegroup');

  constructor(private readonly d: ClassRegroupDeps) {}

  async beat(): Promise<void> {
    const classes = this.d.media.hostedClasses();
    if (!classes.length) return;
    const hosts = await this.d.hosts();
    for (const sessionId of classes)
      await this.check(sessionId, hosts, Date.now()).catch((e: Error) =>
        this.logger.warn(`regrouping class ${sessionId}: ${e.message}`),
      );
  }

  /** One class: decides, remembers since when it fits, and moves this host's people when it is to. */
  async check(sessionId: string, hosts: MediaHostReport[], now: number): Promise<RegroupDecision> {
    const { media, config } = this.d;
    const [owner, classPeers, state] = await Promise.all([
      this.d.ownerOf(sessionId),
      media.classHosts.peersByHost(sessionId),
      media.classHosts.regroupState(sessionId),
    ]);
    const decision = decideRegroup({
      owner,
      classPeers,
      hosts,
      now,
      staleMs: config.presence.ttlMs,
      limits: { spreadAt: config.media.spreadAt, peersPerHost: config.media.peersPerHost },
      settings: config.media.regroup,
      fitSince: state.fitSince,
      lastJoinAt: state.lastJoinAt,
    });
    if (decision.main === this.d.self && owner === null) await this.d.claim(sessionId);
    if (decision.kind === 'single' || decision.kind === 'hold') {
      const fitSince = decision.kind === 'hold' ? decision.fitSince : null;
      if (fitSince !== state.fitSince) await media.classHosts.setFitSince(sessionId, fitSince);
      return decision;
    }
    if (decision.move.includes(this.d.self)) {
      const moved = await media.moveAway(sessionId, REGROUP_REASON);
      this.logger.log(
        `class ${sessionId} fits on one media host again: ${moved} people told to rejoin on ${decision.main}`,
      );
    }
    return decision;
  }
}
