/**
 * Why an activity's last attempt timed out: its worker was killed while it held it, or the server
 * restart fell inside its attempt, or neither (worth a look: a lost completion, a starved worker).
 */
import type { ChaosFigures } from './chaos';
import type { FleetFigures } from './fleet';
import type { TimedOutActivity, VideoOutcome } from './outcomes';

export type TimeoutCause = 'worker killed' | 'server restart' | 'unexplained';

export interface AttributedTimeout extends TimedOutActivity {
  workflowId: string;
  cause: TimeoutCause;
}

export function attributeTimeouts(
  outcomes: readonly VideoOutcome[],
  fleet: FleetFigures,
  chaos: ChaosFigures,
): AttributedTimeout[] {
  return outcomes.flatMap((o) =>
    o.timedOut.map((t) => ({ ...t, workflowId: o.video.workflowId, cause: causeOf(t, fleet, chaos) })),
  );
}

function causeOf(t: TimedOutActivity, fleet: FleetFigures, chaos: ChaosFigures): TimeoutCause {
  const killedAt = fleet.killedAt.get(Number(t.identity.split('@')[0]));
  if (killedAt !== undefined && killedAt >= t.scheduledAtMs && killedAt <= t.timedOutAtMs) return 'worker killed';
  const serverKilledAt = chaos.serverKilledAt;
  if (serverKilledAt !== undefined && serverKilledAt >= t.scheduledAtMs && serverKilledAt <= t.timedOutAtMs) {
    return 'server restart';
  }
  return 'unexplained';
}
