//! Group commit: requests of one kind made while another is under way wait for it, then go
//! together as one request (one `BatchGetItem`, one `BatchWriteItem`), so the mails a batch
//! handles at once share their DynamoDB round trips instead of queueing one request each.
//!
//! The first request goes at once, alone: nothing waits for company that may not come. Those
//! made while it is under way queue, and the first of them to get its turn sends every queued
//! request in one call and hands each its own answer; the others find theirs waiting.

use std::future::Future;
use std::sync::Mutex;
use tokio::sync::oneshot;

/// Queued requests of type `Q`, each answered with an `A`.
pub(crate) struct Group<Q, A> {
    queue: Mutex<Vec<(Q, oneshot::Sender<A>)>>,
    turn: tokio::sync::Mutex<()>,
}

impl<Q, A> Default for Group<Q, A> {
    fn default() -> Self {
        Self { queue: Mutex::new(Vec::new()), turn: tokio::sync::Mutex::new(()) }
    }
}

impl<Q, A> Group<Q, A> {
    /// Answers `request`, sent with every request queued at the time through `send`, which takes
    /// the requests in the order they came and answers each, in that order. `None` if the request
    /// went with a group whose sender was dropped before it answered.
    pub(crate) async fn call<F, Fut>(&self, request: Q, send: F) -> Option<A>
    where
        F: FnOnce(Vec<Q>) -> Fut,
        Fut: Future<Output = Vec<A>>,
    {
        let (tx, mut rx) = oneshot::channel();
        self.queue.lock().expect("not poisoned").push((request, tx));
        let _turn = self.turn.lock().await;
        // A request that went with an earlier turn's group is answered already (or lost with it).
        match rx.try_recv() {
            Ok(answer) => return Some(answer),
            Err(oneshot::error::TryRecvError::Closed) => return None,
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        let queued = std::mem::take(&mut *self.queue.lock().expect("not poisoned"));
        let (requests, answer_to): (Vec<Q>, Vec<oneshot::Sender<A>>) = queued.into_iter().unzip();
        let answers = send(requests).await;
        debug_assert_eq!(answers.len(), answer_to.len());
        for (tx, answer) in answer_to.into_iter().zip(answers) {
            // The only receiver that may be gone is one whose future was dropped.
            let _ = tx.send(answer);
        }
        rx.try_recv().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[tokio::test]
    async fn requests_made_while_one_is_under_way_go_together_and_each_gets_its_own_answer() {
        let group: Group<u32, u32> = Group::default();
        let calls = RefCell::new(Vec::new());
        let send = |requests: Vec<u32>| {
            calls.borrow_mut().push(requests.clone());
            async move {
                tokio::task::yield_now().await;
                requests.iter().map(|r| r * 10).collect()
            }
        };
        let answers = futures_join(&group, send).await;
        assert_eq!(answers, (1..=5).map(|r| r * 10).collect::<Vec<_>>());
        assert_eq!(*calls.borrow(), vec![vec![1], vec![2, 3, 4, 5]], "the first alone, the rest together");
    }

    async fn futures_join<F, Fut>(group: &Group<u32, u32>, send: F) -> Vec<u32>
    where
        F: Fn(Vec<u32>) -> Fut + Copy,
        Fut: Future<Output = Vec<u32>>,
    {
        let (a, b, c, d, e) = tokio::join!(
            group.call(1, send),
            group.call(2, send),
            group.call(3, send),
            group.call(4, send),
            group.call(5, send)
        );
        [a, b, c, d, e].into_iter().map(|answer| answer.expect("answered")).collect()
    }
}
