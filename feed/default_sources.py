"""Public RSS/Atom feeds Tidings ships with: reputable outlets covering the built-in
topics (AI, chips, trade policy and the rest). Loaded by `manage.py load_defaults`."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultSource:
    title: str
    url: str
    site_url: str


SOURCES: tuple[DefaultSource, ...] = (
    DefaultSource("Ars Technica", "https://feeds.arstechnica.com/arstechnica/index",
                  "https://arstechnica.com/"),
    DefaultSource("MIT Technology Review", "https://www.technologyreview.com/feed/",
                  "https://www.technologyreview.com/"),
    DefaultSource("IEEE Spectrum", "https://spectrum.ieee.org/feeds/feed.rss",
                  "https://spectrum.ieee.org/"),
    DefaultSource("The Verge", "https://www.theverge.com/rss/index.xml",
                  "https://www.theverge.com/"),
    DefaultSource("TechCrunch: AI",
                  "https://techcrunch.com/category/artificial-intelligence/feed/",
                  "https://techcrunch.com/"),
    DefaultSource("WIRED", "https://www.wired.com/feed/rss", "https://www.wired.com/"),
    DefaultSource("The Register", "https://www.theregister.com/headlines.atom",
                  "https://www.theregister.com/"),
    DefaultSource("Tom's Hardware", "https://www.tomshardware.com/feeds/all",
                  "https://www.tomshardware.com/"),
    DefaultSource("EE Times", "https://www.eetimes.com/feed/", "https://www.eetimes.com/"),
    DefaultSource("Semiconductor Engineering", "https://semiengineering.com/feed/",
                  "https://semiengineering.com/"),
    DefaultSource("NVIDIA Blog", "https://blogs.nvidia.com/feed/",
                  "https://blogs.nvidia.com/"),
    DefaultSource("OpenAI News", "https://openai.com/news/rss.xml",
                  "https://openai.com/news/"),
    DefaultSource("Google: AI", "https://blog.google/technology/ai/rss/",
                  "https://blog.google/technology/ai/"),
    DefaultSource("BBC News: Business", "https://feeds.bbci.co.uk/news/business/rss.xml",
                  "https://www.bbc.co.uk/news/business"),
    DefaultSource("BBC News: Technology",
                  "https://feeds.bbci.co.uk/news/technology/rss.xml",
                  "https://www.bbc.co.uk/news/technology"),
    DefaultSource("The Guardian: Business", "https://www.theguardian.com/uk/business/rss",
                  "https://www.theguardian.com/uk/business"),
    DefaultSource("The Guardian: Technology",
                  "https://www.theguardian.com/uk/technology/rss",
                  "https://www.theguardian.com/uk/technology"),
    DefaultSource("CNBC: Technology",
                  "https://www.cnbc.com/id/19854910/device/rss/rss.html",
                  "https://www.cnbc.com/technology/"),
    DefaultSource("NPR News", "https://feeds.npr.org/1001/rss.xml", "https://www.npr.org/"),
    DefaultSource("Al Jazeera", "https://www.aljazeera.com/xml/rss/all.xml",
                  "https://www.aljazeera.com/"),
    DefaultSource("Politico: Economy", "https://rss.politico.com/economy.xml",
                  "https://www.politico.com/economy"),
    DefaultSource("WTO News", "https://www.wto.org/library/rss/latest_news_e.xml",
                  "https://www.wto.org/"),
    DefaultSource("Krebs on Security", "https://krebsonsecurity.com/feed/",
                  "https://krebsonsecurity.com/"),
    DefaultSource("NASA News Releases", "https://www.nasa.gov/news-release/feed/",
                  "https://www.nasa.gov/"),
    DefaultSource("Nature", "https://www.nature.com/nature.rss", "https://www.nature.com/"),
)  # fmt: skip
