// The same handlers as queue-jobs.js, as a BullMQ sandboxed processor (one default export taking the job).
import { cpu, empty, io } from './queue-jobs.js';

const handlers = { empty, cpu, io };

export default async function process(job) {
  return handlers[job.name](job.data);
}
