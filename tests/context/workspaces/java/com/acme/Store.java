package com.acme;

public class Store {
  private int count;

  public int add(int n) {
    count += n;
    return count;
  }
}
