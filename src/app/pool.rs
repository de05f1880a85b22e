//! Answering off the async workers (issue 8): every question runs on
//! tokio's blocking pool, at most `limits.answer_threads` at once, with at most
//! `limits.answer_queue` more waiting, each within `limits.answer_deadline_ms` (waiting and
//! running). A question that finds the queue full, or runs out of time, is refused as busy, so
//! a slow question never stalls `/healthz`, other users or signal handling, and nothing hangs.
//!
//! A question past its deadline keeps its thread until the engine returns (a thread cannot be
//! interrupted), and its slot stays taken until then: the number of threads doing engine work is
//! bounded whatever happens.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::settings::Limits;

/// Why a job did not run to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Busy {
    /// Every thread was taken and the queue was full.
    #[error("every answering thread is busy and the queue is full")]
    Full,
    /// The job waited or ran past its deadline.
    #[error("the question ran past its deadline")]
    Deadline,
    /// The job panicked.
    #[error("answering failed")]
    Failed,
}

/// A bounded pool of answering threads.
#[derive(Debug)]
pub struct AnswerPool {
    threads: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
    size: usize,
    deadline: Duration,
}

/// A slot taken with [`AnswerPool::occupy`]; released on drop.
#[derive(Debug)]
pub struct Occupied {
    _thread: OwnedSemaphorePermit,
    _admitted: OwnedSemaphorePermit,
}

impl AnswerPool {
    /// The pool the limits ask for (`answer_threads = 0`: one per CPU).
    pub fn new(limits: &Limits) -> AnswerPool {
        let size = match limits.answer_threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        AnswerPool {
            threads: Arc::new(Semaphore::new(size)),
            admitted: Arc::new(Semaphore::new(size.saturating_add(limits.answer_queue))),
            size,
            deadline: Duration::from_millis(limits.answer_deadline_ms.max(1)),
        }
    }

    /// Threads answering at once.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Runs `job` on a blocking thread when one is free, within the deadline.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| Busy::Full)?;
        let deadline = tokio::time::Instant::now() + self.deadline;
        let thread =
            match tokio::time::timeout_at(deadline, self.threads.clone().acquire_owned()).await {
                Ok(Ok(permit)) => permit,
                Ok(Err(_closed)) => return Err(Busy::Full),
                Err(_elapsed) => return Err(Busy::Deadline),
            };
        let task = tokio::task::spawn_blocking(move || {
            // Both slots stay taken until the job returns, even past the deadline.
            let _slots = (thread, admitted);
            job()
        });
        match tokio::time::timeout_at(deadline, task).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => {
                tracing::error!(cause = %err, "answering thread failed");
                Err(Busy::Failed)
            }
            Err(_elapsed) => Err(Busy::Deadline),
        }
    }

    /// Takes one thread's slot as if a question were running on it, until the guard drops;
    /// `None` when none is free. For tests of the overload path (the refusal itself is the
    /// real one).
    #[doc(hidden)]
    pub fn occupy(&self) -> Option<Occupied> {
        let admitted = self.admitted.clone().try_acquire_owned().ok()?;
        let thread = self.threads.clone().try_acquire_owned().ok()?;
        Some(Occupied {
            _thread: thread,
            _admitted: admitted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(threads: usize, queue: usize, deadline_ms: u64) -> AnswerPool {
        AnswerPool::new(&Limits {
            answer_threads: threads,
            answer_queue: queue,
            answer_deadline_ms: deadline_ms,
            ..Limits::default()
        })
    }

    #[tokio::test]
    async fn runs_jobs_off_the_async_workers() {
        let pool = pool(1, 0, 5_000);
        assert_eq!(pool.run(|| 2 + 2).await, Ok(4));
        assert_eq!(pool.size(), 1);
    }

    #[tokio::test]
    async fn a_full_pool_refuses_at_once() {
        let pool = pool(1, 0, 60_000);
        let _held = pool.occupy().unwrap();
        assert_eq!(pool.run(|| ()).await, Err(Busy::Full));
    }

    #[tokio::test(start_paused = true)]
    async fn a_queued_job_gives_up_at_its_deadline() {
        let pool = pool(1, 1, 200);
        let _held = pool.occupy().unwrap();
        assert_eq!(pool.run(|| ()).await, Err(Busy::Deadline));
    }

    #[tokio::test]
    async fn a_job_past_its_deadline_keeps_its_slot_until_it_returns() {
        let pool = pool(1, 0, 50);
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let slow = pool.run(move || {
            let _ = wait.recv();
        });
        assert_eq!(slow.await, Err(Busy::Deadline));
        assert_eq!(
            pool.run(|| ()).await,
            Err(Busy::Full),
            "the slot is still taken"
        );
        release.send(()).unwrap();
        let mut freed = false;
        for _ in 0..200 {
            if pool.occupy().is_some() {
                freed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(freed, "the slot comes back when the job returns");
    }
}
