//! `cmd:<command>`: a pool of long-lived worker processes speaking JSON Lines on stdin/stdout
//! (see `PROTOCOL.md`). One request line per case (the `Case` with `trial` added), one
//! prediction line back with the same `id`; answers are matched by id, so a worker may answer
//! out of order. Each worker gets up to [`IN_FLIGHT_PER_WORKER`] cases at once.
//!
//! Faults never stop the run:
//!
//! * **Hang**: a case's clock starts when it becomes the oldest unanswered case of its worker
//!   (so waiting behind another case does not count). When it runs past `Options::timeout`,
//!   that case is the one at fault: it fails with `timeout after 2s` and the worker is killed.
//!   Whether it ran past is asked of a [`Deadline`]: the [`WallClock`] for real runs; tests
//!   inject their own so that a fault test does not depend on how busy the machine is.
//! * **Crash** (the worker exits), **garbage** (a line that is not JSON, or JSON without an
//!   `id`): the worker is killed. If it had one case in flight, that case fails with the reason
//!   (`worker exited with status 3 before answering`, `invalid JSON from worker: ...`).
//!   Otherwise the fault cannot be pinned on one case, so each case in flight is retried once,
//!   alone, on a fresh worker, where a repeat of the fault is its own.
//! * Cases in flight on a killed worker that were not at fault are retried once on a fresh
//!   worker.
//! * **Endless line**: an answer line over [`MAX_LINE_BYTES`] (or one that never ends) is
//!   garbage, handled as above; nothing past the cap is buffered.
//! * A valid answer with an unknown label or a bad field fails that case only
//!   (`unknown failure_mode "oomkilled"`); the worker keeps going.
//!
//! Worker stderr is passed through to ours and never parsed. A command that cannot be started
//! fails `from_spec`; one that keeps exiting before it ever answers makes every later call fail
//! at once instead of restarting it forever.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use classifier::{CallError, Classifier};
use scenario::{Case, Prediction};

use crate::{Options, SpecError, human, wire};

/// Cases one worker may have in flight at once (so out-of-order answers can happen).
pub const IN_FLIGHT_PER_WORKER: usize = 4;

/// Longest answer line read from a worker, in bytes (newline included). A longer line (or an
/// endless one without a newline) is a protocol error for its case, and the worker is killed
/// and replaced: the adapter never buffers more than this per worker.
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// Workers that exit before the pool ever got an answer, after which the command is given up.
const STILLBORN_LIMIT: u32 = 3;

/// How long `finish()` waits for workers to exit after their stdin closes.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// A pool of JSON Lines worker processes.
#[derive(Debug)]
pub struct Pool {
    inner: Arc<Inner>,
    watchdog: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Debug)]
struct Inner {
    command: String,
    program: String,
    args: Vec<String>,
    workers: usize,
    timeout: Duration,
    deadline: Arc<dyn Deadline>,
    state: Mutex<State>,
    cond: Condvar,
    /// Whether any worker ever answered (a command that never does is given up).
    answered: AtomicBool,
    /// Replacement workers started (after one died or was killed).
    restarts: AtomicU64,
    /// Workers that exited or were killed while the pool was open (not at shutdown).
    died: AtomicU64,
}

#[derive(Debug)]
struct State {
    slots: Vec<Option<Arc<Worker>>>,
    closed: bool,
    serial: u64,
    stillborn: u32,
    broken: Option<String>,
    /// Case ids between their first send and their final outcome.
    in_flight: HashSet<String>,
    /// Retries waiting for an idle worker; new cases wait behind them so they cannot starve.
    waiting_exclusive: usize,
}

#[derive(Debug)]
struct Worker {
    serial: u64,
    slot: usize,
    child: Mutex<Child>,
    stdin: Mutex<Option<ChildStdin>>,
    book: Mutex<Book>,
}

/// The cases a worker has in flight.
#[derive(Debug)]
struct Book {
    /// Send order -> pending case.
    pending: BTreeMap<u64, Pending>,
    next: u64,
    /// Since when the oldest pending case has been the oldest.
    head_since: Instant,
    /// Holds a retried case alone: takes no other case until it is answered.
    exclusive: bool,
    /// Places taken by callers that have not written their case yet.
    reserved: usize,
    dead: bool,
}

#[derive(Debug)]
struct Pending {
    id: String,
    reply: mpsc::Sender<Outcome>,
}

/// What becomes of one send.
#[derive(Debug)]
enum Outcome {
    Done(Result<(Prediction, Option<scenario::Usage>), CallError>),
    /// The worker died and this case was not (provably) at fault.
    Retry(String),
}

/// Why a worker is being killed.
#[derive(Debug)]
enum Fault {
    /// The pending case with this send number ran past the timeout.
    Timeout(u64),
    /// Stdout closed or a write failed: the process is gone or going.
    Exited,
    /// It printed something that is not an answer.
    Garbage(String),
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Decides when the oldest unanswered case of a worker has waited too long, which makes it the
/// case at fault: it fails with `timeout after <Options::timeout>` and its worker is killed.
pub trait Deadline: Send + Sync + std::fmt::Debug {
    /// Whether case `id`, the oldest unanswered case of its worker for `oldest_for`, is past
    /// `timeout`.
    fn passed(&self, id: &str, oldest_for: Duration, timeout: Duration) -> bool;
}

/// The real clock: a case is late once it has been the oldest for longer than the timeout.
#[derive(Clone, Copy, Debug, Default)]
pub struct WallClock;

impl Deadline for WallClock {
    fn passed(&self, _id: &str, oldest_for: Duration, timeout: Duration) -> bool {
        oldest_for > timeout
    }
}

impl Pool {
    /// Splits the command, starts `opts.workers` workers and the timeout watchdog on the
    /// [`WallClock`].
    pub fn start(command: &str, opts: &Options) -> Result<Pool, SpecError> {
        Pool::with_deadline(command, opts, Arc::new(WallClock))
    }

    /// Like [`Pool::start`], with the timeouts decided by `deadline`.
    pub fn with_deadline(
        command: &str,
        opts: &Options,
        deadline: Arc<dyn Deadline>,
    ) -> Result<Pool, SpecError> {
        let command = command.trim();
        let words = split_command(command).map_err(|reason| SpecError::BadCommand {
            command: command.to_owned(),
            reason,
        })?;
        let Some((program, args)) = words.split_first() else {
            return Err(SpecError::EmptyCommand);
        };
        let inner = Arc::new(Inner {
            command: command.to_owned(),
            program: program.clone(),
            args: args.to_vec(),
            workers: opts.workers,
            timeout: opts.timeout,
            deadline,
            state: Mutex::new(State {
                slots: vec![None; opts.workers],
                closed: false,
                serial: 0,
                stillborn: 0,
                broken: None,
                in_flight: HashSet::new(),
                waiting_exclusive: 0,
            }),
            cond: Condvar::new(),
            answered: AtomicBool::new(false),
            restarts: AtomicU64::new(0),
            died: AtomicU64::new(0),
        });
        {
            let mut st = lock(&inner.state);
            for slot in 0..opts.workers {
                let w = inner
                    .spawn(&mut st, slot)
                    .map_err(|error| SpecError::Spawn {
                        command: command.to_owned(),
                        error,
                    })?;
                st.slots[slot] = Some(w);
            }
        }
        let watch = Arc::clone(&inner);
        let watchdog = std::thread::Builder::new()
            .name("cmd-watchdog".into())
            .spawn(move || watch.watch())
            .map_err(|error| SpecError::Spawn {
                command: command.to_owned(),
                error,
            })?;
        Ok(Pool {
            inner,
            watchdog: Mutex::new(Some(watchdog)),
        })
    }

    fn shutdown(&self, grace: Duration) {
        let workers: Vec<Arc<Worker>> = {
            let mut st = lock(&self.inner.state);
            st.closed = true;
            st.slots.iter_mut().filter_map(Option::take).collect()
        };
        self.inner.cond.notify_all();
        for w in &workers {
            lock(&w.book).dead = true;
            // EOF: a well-behaved worker exits. A caller stuck writing to a worker that does
            // not read holds the pipe: kill that worker instead.
            if !close_stdin(w) {
                let _ = lock(&w.child).kill();
            }
        }
        let deadline = Instant::now() + grace;
        for w in &workers {
            let mut child = lock(&w.child);
            loop {
                match child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() >= deadline => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break;
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        }
        if let Some(h) = lock(&self.watchdog).take() {
            let _ = h.join();
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shutdown(Duration::ZERO);
    }
}

impl Classifier for Pool {
    fn name(&self) -> String {
        format!("cmd:{}", self.inner.command)
    }

    fn version(&self) -> String {
        "unversioned".to_owned()
    }

    fn classify(&self, case: &Case, trial: u32) -> Result<Prediction, CallError> {
        let inner = &self.inner;
        {
            let mut st = lock(&inner.state);
            if !st.in_flight.insert(case.id.clone()) {
                return Err(CallError::new(format!(
                    "case id \"{}\" is already in flight (ids must be unique within a pass)",
                    case.id
                )));
            }
        }
        let result = inner.run(case, trial);
        lock(&inner.state).in_flight.remove(&case.id);
        result
    }

    /// Workers times cases in flight per worker.
    fn concurrency(&self) -> Option<usize> {
        Some(self.inner.workers * IN_FLIGHT_PER_WORKER)
    }

    /// Closes the workers' stdin, waits for them to exit (killing stragglers), and reports
    /// how many workers had to be replaced.
    fn finish(&self) -> Vec<String> {
        self.shutdown(SHUTDOWN_GRACE);
        let restarts = self.inner.restarts.load(Ordering::Relaxed);
        let died = self.inner.died.load(Ordering::Relaxed);
        let mut notes = Vec::new();
        if died > 0 || restarts > 0 {
            notes.push(format!(
                "cmd:{}: {died} worker(s) exited or were killed during the run, {restarts} replacement(s) started",
                self.inner.command
            ));
        }
        if let Some(b) = &lock(&self.inner.state).broken {
            notes.push(format!("cmd:{}: {b}", self.inner.command));
        }
        notes
    }
}

impl Inner {
    /// Sends a case, waits for its outcome, retries it once alone on a fresh worker if its
    /// worker died for another case's fault.
    fn run(self: &Arc<Self>, case: &Case, trial: u32) -> Result<Prediction, CallError> {
        let line = wire::request(case, trial);
        let mut retried = false;
        loop {
            let (tx, rx) = mpsc::channel();
            let worker = self.acquire(retried)?;
            let seq = match worker.send(&case.id, tx, &line) {
                Ok(seq) => seq,
                // Died between placement and send: place again (not a retry).
                Err(SendError::Dead) => continue,
                Err(SendError::Broken(seq)) => {
                    // Broken pipe: the worker is gone.
                    self.fail(&worker, Fault::Exited);
                    seq
                }
            };
            // The watchdog resolves every pending case; this is only a backstop.
            let backstop =
                self.timeout * (IN_FLIGHT_PER_WORKER as u32 + 2) + Duration::from_secs(10);
            let outcome = match rx.recv_timeout(backstop) {
                Ok(o) => o,
                Err(_) => {
                    self.fail(&worker, Fault::Timeout(seq));
                    rx.recv_timeout(Duration::from_secs(1)).unwrap_or_else(|_| {
                        Outcome::Done(Err(CallError::new(format!(
                            "timeout after {}",
                            human(self.timeout)
                        ))))
                    })
                }
            };
            match outcome {
                Outcome::Done(r) => {
                    return r.map(|(p, usage)| {
                        // On the thread that called `classify`: the evaluator takes it there.
                        scenario::usage::report(usage);
                        p
                    });
                }
                Outcome::Retry(why) if retried => return Err(CallError::new(why)),
                Outcome::Retry(_) => retried = true,
            }
        }
    }

    /// Reserves a place on a worker with room (alone on an idle worker if `exclusive`),
    /// starting a fresh worker in an empty slot when needed.
    fn acquire(self: &Arc<Self>, exclusive: bool) -> Result<Arc<Worker>, CallError> {
        let mut st = lock(&self.state);
        if exclusive {
            st.waiting_exclusive += 1;
        }
        let result = loop {
            if let Some(b) = &st.broken {
                break Err(CallError::new(b.clone()));
            }
            if st.closed {
                break Err(CallError::new("the worker pool is shut down"));
            }
            if let Some(found) = self.place(&mut st, exclusive) {
                break found;
            }
            st = self
                .cond
                .wait_timeout(st, Duration::from_millis(200))
                .map_or_else(|e| e.into_inner().0, |(g, _)| g);
        };
        if exclusive {
            st.waiting_exclusive -= 1;
            drop(st);
            self.cond.notify_all();
        }
        result
    }

    /// One placement attempt under the state lock: `None` when no worker has room yet.
    fn place(
        self: &Arc<Self>,
        st: &mut State,
        exclusive: bool,
    ) -> Option<Result<Arc<Worker>, CallError>> {
        if !exclusive && st.waiting_exclusive > 0 {
            return None;
        }
        // Least loaded slot that can take the case; an empty or dead slot counts as load 0.
        let mut choice: Option<(usize, usize)> = None;
        for (i, slot) in st.slots.iter().enumerate() {
            let load = match slot {
                None => 0,
                Some(w) => {
                    let b = lock(&w.book);
                    if b.dead {
                        0
                    } else if b.exclusive || b.pending.len() + b.reserved >= IN_FLIGHT_PER_WORKER {
                        continue;
                    } else {
                        b.pending.len() + b.reserved
                    }
                }
            };
            if exclusive && load > 0 {
                continue;
            }
            if choice.is_none_or(|(_, l)| load < l) {
                choice = Some((i, load));
            }
        }
        let (i, _) = choice?;
        let live = st.slots[i]
            .as_ref()
            .filter(|w| !lock(&w.book).dead)
            .cloned();
        let worker = match live {
            Some(w) => w,
            None => match self.spawn(st, i) {
                Ok(w) => {
                    self.restarts.fetch_add(1, Ordering::Relaxed);
                    st.slots[i] = Some(Arc::clone(&w));
                    w
                }
                Err(e) => {
                    let reason = format!("cannot start worker `{}`: {e}", self.command);
                    st.broken = Some(reason.clone());
                    self.cond.notify_all();
                    return Some(Err(CallError::new(reason)));
                }
            },
        };
        let mut b = lock(&worker.book);
        if b.dead {
            return None; // died since the look above; its slot is free next round
        }
        b.reserved += 1;
        if exclusive {
            b.exclusive = true;
        }
        drop(b);
        Some(Ok(worker))
    }

    /// Starts one worker process and its stdout reader.
    fn spawn(self: &Arc<Self>, st: &mut State, slot: usize) -> std::io::Result<Arc<Worker>> {
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .env("TRIAGEBENCH_WORKER", slot.to_string())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout pipe"))?;
        st.serial += 1;
        let worker = Arc::new(Worker {
            serial: st.serial,
            slot,
            child: Mutex::new(child),
            stdin: Mutex::new(stdin),
            book: Mutex::new(Book {
                pending: BTreeMap::new(),
                next: 0,
                head_since: Instant::now(),
                exclusive: false,
                reserved: 0,
                dead: false,
            }),
        });
        // The reader holds the worker until its stdout closes, which a kill or shutdown ensures.
        let me = Arc::clone(self);
        let w = Arc::clone(&worker);
        std::thread::Builder::new()
            .name(format!("cmd-worker-{}", worker.serial))
            .spawn(move || me.read(&w, stdout))?;
        Ok(worker)
    }

    /// Reads a worker's answers until its stdout closes or it misbehaves.
    fn read(&self, worker: &Arc<Worker>, stdout: ChildStdout) {
        let mut reader = BufReader::new(stdout);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            // At most one byte over the cap is buffered: enough to tell a long line apart.
            let mut limited = (&mut reader).take(MAX_LINE_BYTES as u64 + 1);
            match limited.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => return self.fail(worker, Fault::Exited),
                Ok(_) => {}
            }
            if buf.len() > MAX_LINE_BYTES {
                let reason = format!(
                    "worker answer line is over the {} MiB limit (no newline within {MAX_LINE_BYTES} bytes)",
                    MAX_LINE_BYTES / (1024 * 1024)
                );
                return self.fail(worker, Fault::Garbage(reason));
            }
            let Ok(text) = std::str::from_utf8(&buf) else {
                return self.fail(
                    worker,
                    Fault::Garbage("invalid JSON from worker: not UTF-8".into()),
                );
            };
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let value: Value = match serde_json::from_str(text) {
                Ok(v) => v,
                Err(e) => {
                    let reason = format!("invalid JSON from worker: {e}: {}", wire::excerpt(text));
                    return self.fail(worker, Fault::Garbage(reason));
                }
            };
            let Value::Object(mut object) = value else {
                let reason = format!(
                    "worker answered {} instead of an object: {}",
                    wire::kind(&value),
                    wire::excerpt(text)
                );
                return self.fail(worker, Fault::Garbage(reason));
            };
            let Some(Value::String(id)) = object.remove("id") else {
                let reason = format!(
                    "worker answer has no string \"id\": {}",
                    wire::excerpt(text)
                );
                return self.fail(worker, Fault::Garbage(reason));
            };
            object.remove("trial");
            let pending = {
                let mut b = lock(&worker.book);
                let seq = b.pending.iter().find(|(_, p)| p.id == id).map(|(s, _)| *s);
                match seq {
                    Some(seq) => {
                        let oldest = b.pending.keys().next() == Some(&seq);
                        let p = b.pending.remove(&seq);
                        if oldest {
                            b.head_since = Instant::now();
                        }
                        if b.pending.is_empty() {
                            b.exclusive = false;
                        }
                        p
                    }
                    None => None,
                }
            };
            let Some(pending) = pending else {
                eprintln!(
                    "triagebench: cmd:{}: worker {} answered id \"{id}\", which is not in flight on it; line skipped",
                    self.command, worker.serial
                );
                continue;
            };
            self.answered.store(true, Ordering::Relaxed);
            let result = wire::prediction_with_usage(object).map_err(CallError::new);
            let _ = pending.reply.send(Outcome::Done(result));
            self.wake();
        }
    }

    /// Kills a worker and settles every case it had in flight (once; later calls are no-ops).
    fn fail(&self, worker: &Arc<Worker>, fault: Fault) {
        let (pending, exclusive) = {
            let mut b = lock(&worker.book);
            if b.dead {
                return;
            }
            b.dead = true;
            (std::mem::take(&mut b.pending), b.exclusive)
        };
        // Kill before touching stdin: a caller may be blocked writing into this worker's full
        // stdin pipe while holding the stdin lock, and only the kill releases it.
        let status = {
            let mut child = lock(&worker.child);
            match fault {
                Fault::Exited => wait_briefly(&mut child),
                _ => None,
            }
            .or_else(|| {
                let _ = child.kill();
                child.wait().ok()
            })
        };
        close_stdin(worker);
        let closed = lock(&self.state).closed;
        if !closed {
            self.died.fetch_add(1, Ordering::Relaxed);
        }
        if closed && pending.is_empty() {
            return;
        }
        let alone = pending.len() == 1 || exclusive;
        let exited = match status {
            Some(s) => format!("worker exited with {} before answering", describe(s)),
            None => "worker exited before answering".to_owned(),
        };
        for (seq, p) in pending {
            let outcome = match &fault {
                Fault::Timeout(at) if *at == seq => Outcome::Done(Err(CallError::new(format!(
                    "timeout after {}",
                    human(self.timeout)
                )))),
                Fault::Timeout(_) => Outcome::Retry(
                    "worker killed for another case's timeout, and again on retry".into(),
                ),
                Fault::Exited if alone => Outcome::Done(Err(CallError::new(exited.clone()))),
                Fault::Exited => Outcome::Retry(exited.clone()),
                Fault::Garbage(reason) if alone => {
                    Outcome::Done(Err(CallError::new(reason.clone())))
                }
                Fault::Garbage(reason) => Outcome::Retry(reason.clone()),
            };
            let _ = p.reply.send(outcome);
        }
        {
            let mut st = lock(&self.state);
            if st.slots[worker.slot]
                .as_ref()
                .is_some_and(|w| Arc::ptr_eq(w, worker))
            {
                st.slots[worker.slot] = None;
            }
            if matches!(fault, Fault::Exited)
                && !self.answered.load(Ordering::Relaxed)
                && !st.closed
            {
                st.stillborn += 1;
                if st.stillborn >= STILLBORN_LIMIT && st.broken.is_none() {
                    st.broken = Some(format!(
                        "giving up on `{}`: {STILLBORN_LIMIT} workers exited before answering any case (last: {exited}); see its stderr",
                        self.command
                    ));
                }
            }
        }
        self.cond.notify_all();
    }

    /// Wakes callers waiting for room, without losing the wake-up to a caller between its
    /// check and its wait.
    fn wake(&self) {
        drop(lock(&self.state));
        self.cond.notify_all();
    }

    /// Kills workers whose oldest case has been the oldest for longer than the timeout.
    fn watch(&self) {
        let tick = (self.timeout / 10).clamp(Duration::from_millis(5), Duration::from_millis(100));
        loop {
            std::thread::sleep(tick);
            let workers: Vec<Arc<Worker>> = {
                let st = lock(&self.state);
                if st.closed {
                    return;
                }
                st.slots.iter().flatten().cloned().collect()
            };
            for w in workers {
                let late = {
                    let b = lock(&w.book);
                    match b.pending.first_key_value() {
                        Some((seq, p))
                            if !b.dead
                                && self.deadline.passed(
                                    &p.id,
                                    b.head_since.elapsed(),
                                    self.timeout,
                                ) =>
                        {
                            Some(*seq)
                        }
                        _ => None,
                    }
                };
                if let Some(seq) = late {
                    self.fail(&w, Fault::Timeout(seq));
                }
            }
        }
    }
}

/// Why a reserved place could not be used.
#[derive(Debug)]
enum SendError {
    /// The worker died before the case was registered: place it again.
    Dead,
    /// The case is registered with this number but the pipe broke while writing it.
    Broken(u64),
}

impl Worker {
    /// Registers the case and writes its line under the stdin lock, so send numbers follow the
    /// order in which the worker reads its cases: the oldest unanswered case is the one a
    /// sequential worker is stuck on.
    fn send(&self, id: &str, reply: mpsc::Sender<Outcome>, line: &str) -> Result<u64, SendError> {
        let mut stdin = lock(&self.stdin);
        let seq = {
            let mut b = lock(&self.book);
            b.reserved = b.reserved.saturating_sub(1);
            if b.dead {
                return Err(SendError::Dead);
            }
            let seq = b.next;
            b.next += 1;
            if b.pending.is_empty() {
                b.head_since = Instant::now();
            }
            b.pending.insert(
                seq,
                Pending {
                    id: id.to_owned(),
                    reply,
                },
            );
            seq
        };
        let Some(pipe) = stdin.as_mut() else {
            return Err(SendError::Broken(seq));
        };
        let written = pipe
            .write_all(line.as_bytes())
            .and_then(|()| pipe.write_all(b"\n"))
            .and_then(|()| pipe.flush());
        written.map(|()| seq).map_err(|_| SendError::Broken(seq))
    }
}

/// Closes a worker's stdin unless a writer holds it (then it is left to the kill); whether it
/// was closed.
fn close_stdin(worker: &Worker) -> bool {
    match worker.stdin.try_lock() {
        Ok(mut stdin) => {
            stdin.take();
            true
        }
        Err(std::sync::TryLockError::Poisoned(p)) => {
            p.into_inner().take();
            true
        }
        Err(std::sync::TryLockError::WouldBlock) => false,
    }
}

/// The exit status of a process whose stdout just closed, if it exits within a moment.
fn wait_briefly(child: &mut Child) -> Option<ExitStatus> {
    let deadline = Instant::now() + Duration::from_millis(500);
    loop {
        match child.try_wait() {
            Ok(Some(s)) => return Some(s),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
            _ => return None,
        }
    }
}

/// `status 3` or `signal 9`.
fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("signal {sig}");
        }
    }
    match status.code() {
        Some(code) => format!("status {code}"),
        None => status.to_string(),
    }
}

/// Splits a command line into words: whitespace separates, single quotes keep everything,
/// double quotes keep everything but `\"` and `\\`, a backslash outside quotes escapes the next
/// character. No variables, globs or pipes: the program is run directly, not through a shell.
pub fn split_command(command: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("unterminated double quote".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("trailing backslash".into()),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_like_a_shell_would() {
        let ok = |s: &str| split_command(s).unwrap();
        assert_eq!(ok("python3 my_agent.py"), ["python3", "my_agent.py"]);
        assert_eq!(
            ok("  python3   'my agent.py' --x=\"a b\" "),
            ["python3", "my agent.py", "--x=a b"]
        );
        assert_eq!(ok(r#"a\ b "q\"uote""#), ["a b", "q\"uote"]);
        assert_eq!(ok("''"), [""]);
        assert!(ok("").is_empty());
        assert_eq!(
            split_command("python3 'x").unwrap_err(),
            "unterminated single quote"
        );
        assert_eq!(
            split_command("x \"y").unwrap_err(),
            "unterminated double quote"
        );
    }
}
