/** `seedance-temporal generate "<prompt>"`: starts `generateSeedanceVideo`, and with `--wait` follows it to the file. */
import { Option, type Command } from 'commander';
import { startGenerateSeedanceVideo } from '../../client/start';
import { RESOLUTIONS } from '../../seedance/video-request';
import { runAction, type CliIO } from '../context';
import { ExitCode } from '../exit-codes';
import { DEFAULT_MODEL, KNOWN_MODELS, toGenerateInput, type GenerateOptions } from '../generate-request';
import { waitForVideo } from './wait-for-video';

interface Flags extends GenerateOptions {
  workflowId?: string;
  wait?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerGenerate(program: Command, io: CliIO): void {
  program
    .command('generate')
    .description('create a Seedance task for the prompt and follow it to a stored video (generateSeedanceVideo)')
    .argument('<prompt>', 'what the video shows')
    .option('-m, --model <model>', `${KNOWN_MODELS.join(', ')}, or a ModelArk endpoint id ep-...`, DEFAULT_MODEL)
    .addOption(
      new Option('-r, --ratio <ratio>', 'aspect ratio').choices([
        '16:9',
        '4:3',
        '1:1',
        '3:4',
        '9:16',
        '21:9',
        'adaptive',
      ]),
    )
    .option('-d, --duration <seconds>', 'video length, 4-12 s, or -1 to let the model choose')
    .addOption(new Option('--resolution <resolution>', 'output resolution (ModelArk)').choices(RESOLUTIONS))
    .option('--seed <n>', 'random seed, -1 for random')
    .option('--audio', 'generate audio')
    .option('--no-audio', 'no audio')
    .option('--watermark', 'add the watermark')
    .option('--no-watermark', 'no watermark')
    .option('--camera-fixed', 'keep the camera still')
    .addOption(new Option('--service-tier <tier>', 'flex: the cheaper offline tier').choices(['default', 'flex']))
    .option('--draft', 'a cheap 480p draft (ModelArk)')
    .option('--draft-task <id>', 'render the final video of this draft task (ModelArk)')
    .option(
      '--expires-after <seconds>',
      'the provider expires the task if still queued or running after this (ModelArk, 3600-259200)',
    )
    .option('--return-last-frame', 'also store the last frame as a PNG beside the video (ModelArk)')
    .option('--first-frame <url>', 'image for the first frame (https or data:image)')
    .option('--last-frame <url>', 'image for the last frame (https or data:image)')
    .option('--reference-image <url>', 'reference image (repeatable)', collect)
    .option('--file-name <name>', "file name under the worker's output (default <taskId>.mp4)")
    .option('--deadline <duration>', 'give up this long after creation, e.g. 2h (default 6h)')
    .option(
      '--workflow-id <id>',
      'start under this id; starting again with it joins the same run (no second paid video)',
    )
    .option('-w, --wait', 'follow it to the stored file, with a live progress line')
    .action(async (prompt: string, flags: Flags, command: Command) =>
      runAction(io, command, async (context) => {
        const input = toGenerateInput(prompt, flags);
        const client = await context.client();
        const { taskQueue } = context.settings();
        const handle = await startGenerateSeedanceVideo(client, input, {
          taskQueue,
          ...(flags.workflowId ? { workflowId: flags.workflowId } : {}),
        });
        context.out.say(`Started ${handle.workflowId} on task queue ${taskQueue}`);
        if (!flags.wait) {
          context.out.emit({ ok: true, workflowId: handle.workflowId, runId: handle.firstExecutionRunId, taskQueue });
          context.out.say(`Follow it with: seedance-temporal await ${handle.workflowId}`);
          return ExitCode.Ok;
        }
        return waitForVideo(context, handle);
      }),
    );
}
