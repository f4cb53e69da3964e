//! AssessBatch's answers as one stream that reads, assesses and stores the items itself.
//!
//! The call's own task polls it: it reads items while fewer than `BATCH_PARALLEL` are under
//! way, starts each assessment as a task (so that the runtime's workers assess side by side),
//! and answers them in item order, storing each in turn. Reading and answering here, rather
//! than in a reader and a writer task joined by channels, saves two task wake-ups an item:
//! about 5 % more items a second (docs/benchmarks.md). The stream is polled only when the
//! client has room for more answers, so a client that stops reading stops the items being
//! read: memory stays bounded.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::task::JoinHandle;
use tokio_stream::Stream;
use tonic::{Status, Streaming};

use crate::pb;

use super::auth::Caller;
use super::impact::{BatchAnswer, Computed, ImpactServer, Storing};

/// Items of one batch stream under way at once, so that the runtime's workers all have one to
/// assess while a stored item waits for its commit.
const BATCH_PARALLEL: usize = 8;

type Assessing = JoinHandle<(String, Result<Computed, Status>)>;
/// The answers of one AssessBatch call, in item order.
pub struct BatchAnswers {
    items: Streaming<pb::AssessBatchItem>,
    server: ImpactServer,
    caller: Caller,
    under_way: VecDeque<Assessing>,
    /// The oldest item's answer while its record is stored.
    storing: Option<Storing>,
    /// No more items will be read: the client ended its stream, or it broke.
    items_ended: bool,
    /// The error that broke the item stream, answered after the items read before it.
    broken: Option<Status>,
    /// The last answer was given (the items' end, or an error that ends the stream).
    finished: bool,
}

impl BatchAnswers {
    pub fn new(
        items: Streaming<pb::AssessBatchItem>,
        server: ImpactServer,
        caller: Caller,
    ) -> BatchAnswers {
        BatchAnswers {
            items,
            server,
            caller,
            under_way: VecDeque::with_capacity(BATCH_PARALLEL),
            storing: None,
            items_ended: false,
            broken: None,
            finished: false,
        }
    }

    /// Starts the assessment of every item the client has sent, up to `BATCH_PARALLEL`.
    fn read_ahead(&mut self, cx: &mut Context<'_>) {
        while !self.items_ended && self.under_way.len() < BATCH_PARALLEL {
            match Pin::new(&mut self.items).poll_next(cx) {
                Poll::Ready(Some(Ok(item))) => {
                    let server = self.server.clone();
                    self.under_way
                        .push_back(tokio::spawn(async move { server.batch_compute(item) }));
                }
                Poll::Ready(Some(Err(status))) => {
                    self.items_ended = true;
                    self.broken = Some(status);
                }
                Poll::Ready(None) => self.items_ended = true,
                Poll::Pending => return,
            }
        }
    }

    /// The answer of the oldest item under way, once assessed and stored.
    fn poll_oldest(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<pb::AssessBatchResult, Status>>> {
        loop {
            if let Some(storing) = self.storing.as_mut() {
                let answer = ready!(storing.as_mut().poll(cx));
                self.storing = None;
                return Poll::Ready(Some(Ok(answer)));
            }
            let Some(oldest) = self.under_way.front_mut() else {
                if !self.items_ended {
                    return Poll::Pending;
                }
                self.finished = true;
                return Poll::Ready(self.broken.take().map(Err));
            };
            let assessed = ready!(Pin::new(oldest).poll(cx));
            self.under_way.pop_front();
            match assessed {
                Ok((key, computed)) => {
                    match self.server.batch_answer(&self.caller, key, computed) {
                        BatchAnswer::Ready(answer) => return Poll::Ready(Some(Ok(answer))),
                        BatchAnswer::Storing(storing) => self.storing = Some(storing),
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "a batch item's task failed");
                    self.finished = true;
                    return Poll::Ready(Some(Err(Status::internal(
                        "a batch item's assessment failed",
                    ))));
                }
            }
        }
    }
}

impl Stream for BatchAnswers {
    type Item = Result<pb::AssessBatchResult, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.finished {
            return Poll::Ready(None);
        }
        this.read_ahead(cx);
        this.poll_oldest(cx)
    }
}
