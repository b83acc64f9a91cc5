/** Puts a worker's process group under guard. */
export declare function guardGroup(pid: number): void;
/** Releases a group whose worker has ended and been reaped. */
export declare function releaseGroup(pid: number): void;
/** The guard's pid, for tests. */
export declare function guardPid(): number | undefined;
