	window.YTD.tweets.part0 = [
 {"tweet" : {"id_str" : "1", "created_at" : "Thu Jan 18 13:05:00 +0000 2024", "full_text" : "RT @a: b &amp; c &#128175;"}},
 {"like":{"tweetId":"2","fullText":"x"}}, {"following":{"accountId":"3"}}, {"noteTweet":{"core":{"text":"n"}}}
]