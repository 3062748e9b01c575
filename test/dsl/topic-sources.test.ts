import { describe, expect, it } from 'vitest';
import { checkJobText } from '../../src/dsl/check-job.js';
import { fixedTopics, matchingTopics, topicPatternProblem } from '../../src/dsl/topic-pattern.js';
import { errorsOf, positionOf } from './job-text.js';

/** A valid job file whose `source:` holds `source` (YAML lines, indented by two). */
function withSource(source: string): string {
  return `job: t\nsource:\n${source}schema:\n  event_type: string\nsink:\n  path: data/t\n`;
}

describe('source.topics and source.topic_pattern: checks', () => {
  it('takes a list of topics, and a pattern', () => {
    const list = checkJobText('t.job.yaml', withSource('  topics: [game-a, game-b]\n'));
    expect(list.diagnostics).toEqual([]);
    expect(list.spec!.source).toEqual({ topic: 'game-a', topics: ['game-a', 'game-b'], start: 'earliest' });
    expect(fixedTopics(list.spec!)).toEqual(['game-a', 'game-b']);

    const pattern = checkJobText('t.job.yaml', withSource('  topic_pattern: "game-.*"\n  start: latest\n'));
    expect(pattern.diagnostics).toEqual([]);
    expect(pattern.spec!.source).toEqual({ topic: '', topicPattern: 'game-.*', start: 'latest' });
    expect(fixedTopics(pattern.spec!)).toBeUndefined();

    const one = checkJobText('t.job.yaml', withSource('  topic: events\n'));
    expect(one.spec!.source).toEqual({ topic: 'events', start: 'earliest' });
    expect(fixedTopics(one.spec!)).toEqual(['events']);
  });

  it('needs exactly one of topic, topics and topic_pattern, said at the second one given', () => {
    const two = withSource('  topic: events\n  topic_pattern: "game-.*"\n');
    expect(errorsOf(two)).toEqual([{ ...positionOf(two, 'topic_pattern'), message: "source has 'topic' and 'topic_pattern'; give one of 'topic', 'topics', 'topic_pattern'" }]);
    const none = withSource('  start: latest\n');
    expect(errorsOf(none)).toEqual([{ ...positionOf(none, 'start'), message: "source needs one of 'topic', 'topics', 'topic_pattern'" }]);
  });

  it('refuses an empty topic list and a pattern that does not compile, at their line and column', () => {
    const empty = withSource('  topics: []\n');
    expect(errorsOf(empty)).toEqual([{ ...positionOf(empty, '[]'), message: 'source.topics must list at least one topic' }]);
    const bad = withSource('  topic_pattern: "game-[a-z"\n');
    expect(errorsOf(bad)).toEqual([{ ...positionOf(bad, '"game-'), message: 'source.topic_pattern is not a valid regular expression: Unterminated character class' }]);
  });

  it('says which key is unknown with a did-you-mean', () => {
    const typo = withSource('  topic_patern: "game-.*"\n');
    expect(errorsOf(typo).map((e) => e.message)).toContain("unknown key 'topic_patern' in source (did you mean 'topic_pattern'?)");
  });
});

describe('topic patterns: matching', () => {
  it('matches whole names only, sorted, and never an internal topic', () => {
    const cluster = ['game-b', 'game-a', 'my-game-a', 'game-a-retry', '__consumer_offsets', 'other'];
    expect(matchingTopics('game-[a-z]', cluster)).toEqual(['game-a', 'game-b']);
    expect(matchingTopics('game-.*', cluster)).toEqual(['game-a', 'game-a-retry', 'game-b']);
    expect(matchingTopics('.*', cluster)).not.toContain('__consumer_offsets');
    expect(matchingTopics('a|game-b', cluster)).toEqual(['game-b']);
  });

  it('names the problem of a pattern that does not compile, and none of one that does', () => {
    expect(topicPatternProblem('(')).toBe('Unterminated group');
    expect(topicPatternProblem('game-(a|b)')).toBeUndefined();
  });
});
