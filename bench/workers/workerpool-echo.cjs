// workerpool echo worker (workerType: 'process' forks this file).
const workerpool = require('workerpool');
workerpool.worker({ echo: (payload) => payload });
